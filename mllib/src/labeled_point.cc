#include "brasa/mllib/labeled_point.h"

#include "util/spark_format.h"

namespace brasa::mllib {

std::string LabeledPoint::to_string() const {
  return "(" + detail::double_text(label) + "," + features.to_string() + ")";
}

}  // namespace brasa::mllib
