#include "brasa/mllib/feature/pca.h"

#include <stdexcept>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "brasa/mllib/linalg/row_matrix.h"
#include "util/checks.h"
#include "util/model_io.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace pca_impl {

constexpr const char* kModelClass = "brasa.mllib.PCAModel";

// pc^T x, dense.
struct Project {
  DenseMatrix pc;  // n x k
  template <class Ar> void serialize(Ar& ar) { ar(pc); }

  Vector operator()(const Vector& x) const {
    detail::check_features("PCAModel", static_cast<int>(pc.rows()), x);
    DenseVector y;
    if (x.is_sparse()) {
      y = DenseVector::Zero(pc.cols());
      x.for_each_active([&](int32_t j, double v) { y += v * pc.row(j).transpose(); });
    } else {
      y.noalias() = pc.transpose() * Eigen::Map<const DenseVector>(x.values().data(), x.size());
    }
    return Vector::dense(y);
  }
};

}  // namespace pca_impl
using namespace pca_impl;

PCAModel::PCAModel(DenseMatrix pc, DenseVector explained_variance)
    : pc_(std::move(pc)), explained_variance_(std::move(explained_variance)) {
  if (explained_variance_.size() != pc_.cols())
    throw std::invalid_argument(fmt::format("PCAModel: pc has {} components, explained_variance {} entries",
                                            pc_.cols(), explained_variance_.size()));
}

Vector PCAModel::transform(const Vector& x) const { return Project{pc_}(x); }

RDD<Vector> PCAModel::transform(const RDD<Vector>& data) const { return data.map(Project{pc_}); }

void PCAModel::save(const std::string& path, bool overwrite) const {
  detail::Metadata m;
  m.set("k", static_cast<double>(k()));
  m.set("num_features", static_cast<double>(num_features()));
  ByteWriter data;
  data(pc_, explained_variance_);
  detail::save_model(path, kModelClass, m, data.bytes(), overwrite);
}

PCAModel PCAModel::load(const std::string& path) {
  auto saved = detail::load_model(path, kModelClass);
  PCAModel model;
  try {
    ByteReader r(saved.data);
    r(model.pc_, model.explained_variance_);
  } catch (const std::exception& e) {
    throw std::runtime_error("PCAModel.load(" + path + "): data.bin does not decode: " + e.what());
  }
  if (model.explained_variance_.size() != model.pc_.cols() || model.k() != saved.metadata.number("k") ||
      model.num_features() != saved.metadata.number("num_features"))
    throw std::runtime_error("PCAModel.load(" + path + "): data.bin's matrices do not match metadata.json");
  return model;
}

PCA& PCA::k(int v) {
  detail::check_param(v >= 1, "PCA", "k", "at least 1", v);
  k_ = v;
  return *this;
}

PCAModel PCA::fit(const RDD<Vector>& data) const {
  if (k_ < 1) throw std::invalid_argument("PCA: k is not set (call k(v) with the number of components)");
  auto first = data.take(1);
  if (first.empty()) throw std::invalid_argument("PCA: there are no rows");
  const int32_t n = first[0].size();
  if (k_ > n)
    throw std::invalid_argument(fmt::format("PCA: the vectors have {} features, fewer than k = {}", n, k_));
  auto pca = RowMatrix(data, 0, n).compute_pca(k_);
  spdlog::info("PCA: {} components of {} features explain {:.4g} of the variance", k_, n, pca.explained_variance.sum());
  return PCAModel(std::move(pca.pc), std::move(pca.explained_variance));
}

}  // namespace brasa::mllib
