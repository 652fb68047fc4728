// The output directory of a save_* action (RDD<T>::save_as_text_file, ...).
#pragma once

#include <string>

namespace brasa {

// Creates output directories for save_* actions and commits or removes them.
class OutputCommitter {
 public:
  OutputCommitter(std::string path, bool overwrite);  // throws if path exists and !overwrite
  std::string task_dir() const;                       // where tasks write their parts
  void commit(int num_partitions);                    // moves parts in place, writes _SUCCESS
  void abort() noexcept;                              // removes everything

 private:
  std::string path_;
};

}  // namespace brasa
