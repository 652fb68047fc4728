#include "brasa/util/text_format.h"

#include <sstream>

namespace brasa::detail {

std::string stream_to_string_fallback(const void* v, void (*print)(std::ostream&, const void*)) {
  std::ostringstream os;
  print(os, v);
  return os.str();
}

}  // namespace brasa::detail
