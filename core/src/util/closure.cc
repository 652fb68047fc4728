#include "brasa/util/closure.h"

#include <link.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "brasa/util/with.h"

namespace brasa::detail {
namespace {

// The program's own code: its load address and executable segments (the
// first object dl_iterate_phdr reports is the program).
struct ProgramCode {
  uintptr_t base = 0;
  std::vector<std::pair<uintptr_t, uintptr_t>> segments;  // [begin, end) of each executable PT_LOAD

  bool contains(uintptr_t address) const {
    for (auto [begin, end] : segments)
      if (address >= begin && address < end) return true;
    return false;
  }
};

const ProgramCode& program_code() {
  static const ProgramCode code = [] {
    ProgramCode c;
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* out) {
          auto& c = *static_cast<ProgramCode*>(out);
          c.base = info->dlpi_addr;
          for (int i = 0; i < info->dlpi_phnum; ++i) {
            const auto& ph = info->dlpi_phdr[i];
            if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X))
              c.segments.emplace_back(info->dlpi_addr + ph.p_vaddr, info->dlpi_addr + ph.p_vaddr + ph.p_memsz);
          }
          return 1;  // the first object only
        },
        &c);
    return c;
  }();
  return code;
}

}  // namespace

uint64_t function_offset(const void* f) {
  const ProgramCode& code = program_code();
  const auto address = reinterpret_cast<uintptr_t>(f);
  if (!code.contains(address))
    throw std::invalid_argument(
        "brasa: a function given to an RDD operation is not in the program itself (a shared library's, "
        "such as the C library's?): its address differs between processes. Wrap it in a lambda: "
        "[](auto x) { return f(x); }");
  return address - code.base;
}

const void* function_at(uint64_t offset) {
  const ProgramCode& code = program_code();
  const uintptr_t address = code.base + offset;
  if (!code.contains(address))
    throw std::runtime_error("corrupt stage plan: a function offset outside the program's code");
  return reinterpret_cast<const void*>(address);
}

void note_shipped_value(size_t bytes, const std::type_info& type) {
  if (bytes > (size_t{1} << 20))
    spdlog::warn("brasa::with ships a {} of {} KiB in the stage plan (to every executor, for every stage); above 1 MiB prefer "
                 "ctx.broadcast(value), fetched once per executor",
                 type.name(), bytes >> 10);
}

}  // namespace brasa::detail
