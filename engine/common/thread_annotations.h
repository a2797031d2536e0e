// Clang's thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html),
// as leveldb's port/thread_annotations.h and Abseil spell them: the lock rules written where
// the data is declared, checked by clang's -Wthread-safety (the clang-tidy test and the tsan
// preset build with it) and empty for other compilers.
#pragma once

#if defined(__clang__)
#define PMIFLOW_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define PMIFLOW_THREAD_ANNOTATION(x)
#endif

// A type that is a lock (a capability).
#define CAPABILITY(name) PMIFLOW_THREAD_ANNOTATION(capability(name))
// A type whose objects hold a lock for their lifetime (RAII).
#define SCOPED_CAPABILITY PMIFLOW_THREAD_ANNOTATION(scoped_lockable)
// A member read or written only while `mu` is held.
#define GUARDED_BY(mu) PMIFLOW_THREAD_ANNOTATION(guarded_by(mu))
// A pointer member whose pointee is read or written only while `mu` is held.
#define PT_GUARDED_BY(mu) PMIFLOW_THREAD_ANNOTATION(pt_guarded_by(mu))
// A function called only while the locks are held (and that returns with them held).
#define REQUIRES(...) PMIFLOW_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// A function called only while the locks are not held (it takes them itself).
#define EXCLUDES(...) PMIFLOW_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// A function that takes the locks (or, on a lock type, the lock itself).
#define ACQUIRE(...) PMIFLOW_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
// A function that releases the locks (or, on a lock type, the lock itself).
#define RELEASE(...) PMIFLOW_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
// A function the analysis skips: say why where it is used.
#define NO_THREAD_SAFETY_ANALYSIS PMIFLOW_THREAD_ANNOTATION(no_thread_safety_analysis)
