// LabeledPoint: a label and its features, the record of supervised learning
// (Spark's LabeledPoint). Labels of classifiers are 0, 1, ... as doubles.
#pragma once

#include <string>

#include "brasa/mllib/linalg/vector.h"

namespace brasa::mllib {

struct LabeledPoint {
  double label = 0;
  Vector features;

  bool operator==(const LabeledPoint&) const = default;
  std::string to_string() const;  // Spark's format: (1.0,[0.5,2.0])
  size_t heap_bytes() const { return features.heap_bytes(); }
  template <class Archive> void serialize(Archive& ar) { ar(label, features); }
};

}  // namespace brasa::mllib
