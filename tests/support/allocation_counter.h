// Counts this thread's heap allocations during a call, to check that hot paths do not allocate.
//
// Include this header in exactly ONE source file of a test executable: it replaces the global
// operator new and delete for the whole executable. Every unaligned form is replaced, so memory
// always goes back the way it came (sanitizers check that new/delete and malloc/free pairs match).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <new>

namespace rwproxy::test {

inline thread_local bool tlCountAllocations = false;
inline thread_local uint64_t tlAllocations = 0;

inline void* countedAlloc(std::size_t size) noexcept {
  if (tlCountAllocations) {
    ++tlAllocations;
  }
  return std::malloc(size == 0 ? 1 : size);
}

// Heap allocations `fn` made on this thread.
template <typename Fn>
uint64_t allocationsDuring(Fn&& fn) {
  tlAllocations = 0;
  tlCountAllocations = true;
  fn();
  tlCountAllocations = false;
  return tlAllocations;
}

}  // namespace rwproxy::test

void* operator new(std::size_t size) {
  if (void* p = rwproxy::test::countedAlloc(size)) {
    return p;
  }
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return rwproxy::test::countedAlloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return rwproxy::test::countedAlloc(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
