#include "brasa/mllib/labeled_point.h"

#include <charconv>

namespace brasa::mllib {

std::string LabeledPoint::to_string() const {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, label);
  std::string text(buf, end);
  if (text.find_first_of(".eEni") == std::string::npos) text += ".0";
  return "(" + text + "," + features.to_string() + ")";
}

}  // namespace brasa::mllib
