// Inverse document frequencies as Spark ML's IDF, to turn term frequencies
// (HashingTF's vectors) into TF-IDF:
//
//   auto model = IDF().min_doc_freq(2).fit(tf);      // RDD<Vector>
//   RDD<Vector> tfidf = model.transform(tf);
//
// Over m documents, with df_t the number of documents whose entry t is
// positive, idf_t = log((m + 1) / (df_t + 1)) (natural log), and 0 for a term
// in fewer than min_doc_freq documents (default 0: none). transform
// multiplies each entry by its term's idf; a sparse vector keeps its
// indices, even where the product is 0. As in Spark, doc_freq reports 0 for
// the terms that min_doc_freq leaves out. Throws std::invalid_argument for
// an empty input, vectors of different sizes, or a vector whose size is not
// the model's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class IDFModel {
 public:
  IDFModel() = default;
  IDFModel(DenseVector idf, std::vector<int64_t> doc_freq, int64_t num_docs);

  int num_features() const { return static_cast<int>(idf_.size()); }
  const DenseVector& idf() const { return idf_; }
  const std::vector<int64_t>& doc_freq() const { return doc_freq_; }  // df_t
  int64_t num_docs() const { return num_docs_; }                      // m

  Vector transform(const Vector& tf) const;
  RDD<Vector> transform(const RDD<Vector>& tf) const;

  void save(const std::string& path, bool overwrite = false) const;
  static IDFModel load(const std::string& path);

 private:
  DenseVector idf_;
  std::vector<int64_t> doc_freq_;
  int64_t num_docs_ = 0;
};

class IDF {
 public:
  IDF& min_doc_freq(int v);  // >= 0, default 0
  int min_doc_freq() const { return min_doc_freq_; }

  IDFModel fit(const RDD<Vector>& tf) const;

 private:
  int min_doc_freq_ = 0;
};

}  // namespace brasa::mllib
