// MotionWorkbench's stand-in for the one libstdc++ function of GLIBCXX_3.4.32 that TorchSharp 0.107's native wrapper
// (libLibTorchSharp.so, built with GCC 13) references: std::ios_base_library_init(), which GCC 13's <iostream> calls
// to make sure the standard streams are constructed. Older libstdc++ (Debian 12: GLIBCXX_3.4.30) constructs them
// through std::ios_base::Init objects, so constructing one here does the same. Built and linked only where the
// system libstdc++ lacks GLIBCXX_3.4.32 (see fix_libtorchsharp.py).
#include <ios>

namespace std
{
__attribute__((visibility("default"))) void ios_base_library_init();

void ios_base_library_init()
{
    static ios_base::Init init;
}
}
