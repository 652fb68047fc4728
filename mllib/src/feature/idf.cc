#include "brasa/mllib/feature/idf.h"

#include <cmath>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "util/checks.h"
#include "util/model_io.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace idf_impl {

constexpr const char* kModelClass = "brasa.mllib.IDFModel";

// Spark's DocumentFrequencyAggregator: documents seen, and per term the
// documents where it is positive. Errors found on executors travel back in
// `error` and are thrown on the driver.
struct DocFreqs {
  int64_t num_docs = 0;
  int32_t size = -1;  // set by the first document
  std::vector<int64_t> df;
  std::string error;
  template <class Ar> void serialize(Ar& ar) { ar(num_docs, size, df, error); }

  void add(const Vector& doc) {
    if (!error.empty()) return;
    if (size < 0) {
      size = doc.size();
      df.assign(static_cast<size_t>(size), 0);
    } else if (doc.size() != size) {
      error = fmt::format("IDF: vectors have different sizes ({} and {})", size, doc.size());
      return;
    }
    doc.for_each_active([&](int32_t j, double v) {
      if (v > 0) ++df[j];
    });
    ++num_docs;
  }

  void merge(const DocFreqs& b) {
    if (!error.empty()) return;
    if (!b.error.empty()) {
      error = b.error;
      return;
    }
    if (b.num_docs == 0) return;
    if (num_docs == 0) {
      *this = b;
      return;
    }
    if (size != b.size) {
      error = fmt::format("IDF: vectors have different sizes ({} and {})", size, b.size);
      return;
    }
    for (size_t j = 0; j < df.size(); ++j) df[j] += b.df[j];
    num_docs += b.num_docs;
  }
};

struct AddDocument {
  DocFreqs operator()(DocFreqs acc, const Vector& doc) const {
    acc.add(doc);
    return acc;
  }
};

struct MergeDocFreqs {
  DocFreqs operator()(DocFreqs a, const DocFreqs& b) const {
    a.merge(b);
    return a;
  }
};

struct TimesIdf {
  DenseVector idf;
  template <class Ar> void serialize(Ar& ar) { ar(idf); }

  Vector operator()(const Vector& tf) const {
    detail::check_features("IDFModel", static_cast<int>(idf.size()), tf);
    std::vector<double> values(tf.values().begin(), tf.values().end());
    if (!tf.is_sparse()) {
      for (size_t j = 0; j < values.size(); ++j) values[j] *= idf[static_cast<Eigen::Index>(j)];
      return Vector::dense(std::move(values));
    }
    auto indices = tf.indices();
    for (size_t k = 0; k < values.size(); ++k) values[k] *= idf[indices[k]];
    return Vector::sparse(tf.size(), std::vector<int32_t>(indices.begin(), indices.end()), std::move(values));
  }
};

}  // namespace idf_impl
using namespace idf_impl;

IDFModel::IDFModel(DenseVector idf, std::vector<int64_t> doc_freq, int64_t num_docs)
    : idf_(std::move(idf)), doc_freq_(std::move(doc_freq)), num_docs_(num_docs) {
  if (static_cast<size_t>(idf_.size()) != doc_freq_.size())
    throw std::invalid_argument(fmt::format("IDFModel: idf has {} terms, doc_freq {}", idf_.size(), doc_freq_.size()));
}

Vector IDFModel::transform(const Vector& tf) const { return TimesIdf{idf_}(tf); }

RDD<Vector> IDFModel::transform(const RDD<Vector>& tf) const { return tf.map(TimesIdf{idf_}); }

void IDFModel::save(const std::string& path, bool overwrite) const {
  detail::Metadata m;
  m.set("num_features", static_cast<double>(num_features()));
  m.set("num_docs", static_cast<double>(num_docs_));
  ByteWriter data;
  data(idf_, doc_freq_);
  detail::save_model(path, kModelClass, m, data.bytes(), overwrite);
}

IDFModel IDFModel::load(const std::string& path) {
  auto saved = detail::load_model(path, kModelClass);
  IDFModel model;
  try {
    ByteReader r(saved.data);
    r(model.idf_, model.doc_freq_);
  } catch (const std::exception& e) {
    throw std::runtime_error("IDFModel.load(" + path + "): data.bin does not decode: " + e.what());
  }
  if (static_cast<size_t>(model.idf_.size()) != model.doc_freq_.size() ||
      model.num_features() != saved.metadata.number("num_features"))
    throw std::runtime_error("IDFModel.load(" + path + "): data.bin's vectors do not match metadata.json");
  model.num_docs_ = static_cast<int64_t>(saved.metadata.number("num_docs"));
  return model;
}

IDF& IDF::min_doc_freq(int v) {
  detail::check_param(v >= 0, "IDF", "min_doc_freq", "at least 0", v);
  min_doc_freq_ = v;
  return *this;
}

IDFModel IDF::fit(const RDD<Vector>& tf) const {
  DocFreqs counts = tf.tree_aggregate(DocFreqs{}, AddDocument{}, MergeDocFreqs{});
  if (!counts.error.empty()) throw std::invalid_argument(counts.error);
  if (counts.num_docs == 0) throw std::invalid_argument("IDF: there are no documents");
  const int32_t n = counts.size;
  DenseVector idf = DenseVector::Zero(n);
  std::vector<int64_t> doc_freq(static_cast<size_t>(n), 0);
  const double m = static_cast<double>(counts.num_docs);
  for (int32_t j = 0; j < n; ++j) {
    if (counts.df[j] < min_doc_freq_) continue;  // idf 0, and doc_freq 0 as Spark reports it
    idf[j] = std::log((m + 1.0) / (static_cast<double>(counts.df[j]) + 1.0));
    doc_freq[j] = counts.df[j];
  }
  spdlog::info("IDF: {} terms over {} documents", n, counts.num_docs);
  return IDFModel(std::move(idf), std::move(doc_freq), counts.num_docs);
}

}  // namespace brasa::mllib
