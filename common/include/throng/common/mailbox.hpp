#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <deque>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace throng {

// A multi-producer queue whose readiness is an eventfd, so that a ZeroMQ poll loop can wait
// on it next to its sockets (ZeroMQ sockets may not be shared between threads).
template <typename T>
class Mailbox {
 public:
  Mailbox() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error("eventfd failed");
  }
  ~Mailbox() { close(fd_); }
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  void Push(T item) {
    bool was_empty = false;
    {
      std::lock_guard lock(mutex_);
      was_empty = items_.empty();
      items_.push_back(std::move(item));
    }
    // Only the first item of a batch signals: the reader drains everything queued anyway, and
    // a write per item would be a system call per packet under load.
    if (!was_empty) return;
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = write(fd_, &one, sizeof(one));
  }

  // Takes everything queued so far; clears the readiness signal.
  std::deque<T> Drain() {
    std::uint64_t count = 0;
    [[maybe_unused]] auto got = read(fd_, &count, sizeof(count));
    std::lock_guard lock(mutex_);
    return std::exchange(items_, {});
  }

  std::size_t Size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }

  int fd() const { return fd_; }

 private:
  int fd_;
  mutable std::mutex mutex_;
  std::deque<T> items_;
};

}  // namespace throng
