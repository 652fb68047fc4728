// mllib: a multinomial logistic regression of the iris flowers (LIBSVM),
// trained on 80% and scored on the rest.
//
//   iris_model FILE [MASTER]
#include <cstdio>

#include "brasa/brasa.h"
#include "brasa/mllib/mllib.h"

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: iris_model FILE [MASTER]\n");
    return 2;
  }
  brasa::Context ctx(brasa::Conf().master(argc > 2 ? argv[2] : "local[2]").app_name("iris_model"));
  namespace mllib = brasa::mllib;
  auto data = mllib::load_libsvm(ctx, argv[1]);
  auto [train, test] = mllib::random_split(data, {0.8, 0.2}, /*seed=*/1);
  auto model = mllib::LogisticRegression().reg_param(0.01).fit(train);
  const double accuracy =
      mllib::MulticlassClassificationEvaluator().evaluate(model.prediction_and_labels(test)).accuracy();
  std::printf("classes %d, iterations %d, test accuracy %.6f\n", model.num_classes(), model.total_iterations(),
              accuracy);
}
