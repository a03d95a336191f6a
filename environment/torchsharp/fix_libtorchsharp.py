#!/usr/bin/python3
"""Makes an output copy of TorchSharp's libLibTorchSharp.so load on a libstdc++ without GLIBCXX_3.4.32 (Debian 12).

TorchSharp 0.107's native wrapper was built with GCC 13 and needs GLIBCXX_3.4.32 for exactly one symbol,
std::ios_base_library_init(). When the system libstdc++ lacks that version (and only then), this script

  1. builds libMwIosBaseInit.so next to the copy (one function: constructs a static std::ios_base::Init),
  2. marks the copy's GLIBCXX_3.4.32 version need weak (vna_flags |= VER_FLG_WEAK in .gnu.version_r), so the loader
     no longer refuses the library, and
  3. adds libMwIosBaseInit.so as a DT_NEEDED of the copy, so the symbol resolves to the shim.

The DT_NEEDED entry takes a spare DT_NULL slot, else the slot of DT_RELACOUNT (an optional hint: the loader then
treats the relative relocations as ordinary ones); its name is written into the space of the RUNPATH string, whose entries other
than $ORIGIN are build-machine paths. Idempotent: a fixed copy is recognised and left alone. The file is rewritten
through a temporary file and a rename, so a hard link or symlink into the NuGet cache is never written through, and a
path inside the NuGet packages folder is refused outright.

Usage: fix_libtorchsharp.py PATH/TO/libLibTorchSharp.so [--cxx g++] [--libstdcxx PATH] [--check]
Exit status 0: fixed, already fixed or nothing to do; 1: it cannot be fixed (the message says why and what to do).
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

NEEDED_VERSION = "GLIBCXX_3.4.32"
SHIM_SYMBOL = "_ZSt21ios_base_library_initv"  # std::ios_base_library_init()
SHIM_NAME = "libMwIosBaseInit.so"
SHIM_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ios_base_library_init.cpp")

DT_NULL, DT_NEEDED, DT_STRTAB, DT_RPATH, DT_SONAME, DT_RUNPATH = 0, 1, 5, 15, 14, 29
DT_RELACOUNT, DT_RELCOUNT = 0x6FFFFFF9, 0x6FFFFFFA
SHT_DYNSYM, SHT_DYNAMIC = 11, 6
SHT_GNU_VERDEF, SHT_GNU_VERNEED, SHT_GNU_VERSYM = 0x6FFFFFFD, 0x6FFFFFFE, 0x6FFFFFFF
VER_FLG_WEAK = 0x2


class FixError(Exception):
    pass


def cstr(data, offset):
    end = data.index(b"\0", offset)
    return data[offset:end].decode("utf-8", "replace")


class Elf:
    """The few parts of a little-endian ELF64 shared object this fix reads and edits (by file offset)."""

    def __init__(self, path, data):
        self.path = path
        self.data = data
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise FixError(f"{path}: not a little-endian 64-bit ELF file")
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        self.sections = []
        for i in range(shnum):
            name, stype, _flags, addr, off, size, link, info, _align, entsize = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
            self.sections.append(dict(name=name, type=stype, addr=addr, offset=off, size=size, link=link, info=info, entsize=entsize))
        names = self.sections[shstrndx]
        for s in self.sections:
            s["name"] = cstr(data, names["offset"] + s["name"])

    def section(self, stype, what):
        found = [s for s in self.sections if s["type"] == stype]
        if not found:
            raise FixError(f"{self.path}: no {what} section")
        return found[0]


def dynamic_entries(elf, dyn):
    entries = []
    for i in range(dyn["size"] // 16):
        tag, val = struct.unpack_from("<qQ", elf.data, dyn["offset"] + 16 * i)
        entries.append((tag, val))
    return entries


def version_needs(elf, verneed, strtab_off):
    """(file, [(aux offset, name, flags, other)]) for each Elf64_Verneed."""
    result = []
    off = verneed["offset"]
    for _ in range(verneed["info"]):
        _ver, cnt, vfile, aux, nxt = struct.unpack_from("<HHIII", elf.data, off)
        auxes = []
        a = off + aux
        for _ in range(cnt):
            _hash, flags, other, name, anext = struct.unpack_from("<IHHII", elf.data, a)
            auxes.append((a, cstr(elf.data, strtab_off + name), flags, other, name))
            a += anext
        result.append((cstr(elf.data, strtab_off + vfile), vfile, auxes))
        if nxt == 0:
            break
        off += nxt
    return result


def find_libstdcxx():
    try:
        out = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            line = line.strip()
            if line.startswith("libstdc++.so.6 ") and "x86-64" in line and "=>" in line:
                return line.split("=>", 1)[1].strip()
    except OSError:
        pass
    for p in ("/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6"):
        if os.path.exists(p):
            return p
    return None


def missing_versions(required, libstdcxx):
    with open(libstdcxx, "rb") as f:
        content = f.read()
    return sorted(v for v in required if (v.encode() + b"\0") not in content)


def build_shim(directory, cxx):
    shim = os.path.join(directory, SHIM_NAME)
    if os.path.exists(shim) and os.path.getmtime(shim) >= os.path.getmtime(SHIM_SOURCE):
        return shim
    # a name of its own per process: two builds fixing the same output folder at once must not share a temporary file
    tmp = f"{shim}.{os.getpid()}.tmp"
    cmd = [cxx, "-shared", "-fPIC", "-O2", f"-Wl,-soname,{SHIM_NAME}", "-o", tmp, SHIM_SOURCE]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as e:
        raise FixError(f"cannot run the C++ compiler '{cxx}' to build {SHIM_NAME}: {e}; install g++ (apt-get install g++)") from e
    if r.returncode != 0:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise FixError(f"building {SHIM_NAME} failed ({' '.join(cmd)}):\n{r.stderr.strip()}")
    os.replace(tmp, shim)
    return shim


def fix(path, cxx, libstdcxx, check_only):
    real = os.path.realpath(path)
    nuget = os.environ.get("NUGET_PACKAGES") or os.path.expanduser("~/.nuget/packages")
    if real.startswith(os.path.realpath(nuget) + os.sep):
        raise FixError(f"{path} is (or links to) a file in the NuGet cache ({real}); only output copies are fixed")
    with open(path, "rb") as f:
        data = bytearray(f.read())
    elf = Elf(path, data)
    dyn = elf.section(SHT_DYNAMIC, ".dynamic")
    dynstr = elf.sections[dyn["link"]]
    so = dynstr["offset"]
    entries = dynamic_entries(elf, dyn)
    needed = [cstr(data, so + v) for t, v in entries if t == DT_NEEDED]
    verneed = elf.section(SHT_GNU_VERNEED, ".gnu.version_r")
    needs = version_needs(elf, verneed, so)
    required = [a[1] for f, _, auxes in needs if f == "libstdc++.so.6" for a in auxes]

    if SHIM_NAME in needed:
        weak = [a for f, _, auxes in needs for a in auxes if a[1] == NEEDED_VERSION and a[2] & VER_FLG_WEAK]
        if weak:
            return f"{path}: already fixed ({SHIM_NAME} is a DT_NEEDED, {NEEDED_VERSION} is weak)"
        raise FixError(f"{path}: has {SHIM_NAME} as a DT_NEEDED but {NEEDED_VERSION} is not weak: a partial fix; delete the file and rebuild")

    libstdcxx = libstdcxx or find_libstdcxx()
    if libstdcxx is None:
        raise FixError("cannot find the system libstdc++.so.6 (ldconfig -p lists none); pass --libstdcxx PATH")
    missing = missing_versions(required, libstdcxx)
    if not missing:
        return f"{path}: nothing to do ({libstdcxx} has every libstdc++ version it needs)"
    if missing != [NEEDED_VERSION]:
        raise FixError(f"{path} needs {', '.join(missing)} from libstdc++, which {libstdcxx} lacks; this fix covers only "
                       f"{NEEDED_VERSION} (std::ios_base_library_init()): install a newer libstdc++6 (GCC 13 or later)")

    # the only symbols bound to GLIBCXX_3.4.32 must be std::ios_base_library_init()
    aux = next(a for f, _, auxes in needs if f == "libstdc++.so.6" for a in auxes if a[1] == NEEDED_VERSION)
    aux_off, _, flags, index, _ = aux
    dynsym = elf.section(SHT_DYNSYM, ".dynsym")
    versym = elf.section(SHT_GNU_VERSYM, ".gnu.version")
    bound = []
    for i in range(dynsym["size"] // 24):
        ver, = struct.unpack_from("<H", data, versym["offset"] + 2 * i)
        if ver & 0x7FFF == index:
            name, = struct.unpack_from("<I", data, dynsym["offset"] + 24 * i)
            bound.append(cstr(data, so + name))
    if bound != [SHIM_SYMBOL]:
        raise FixError(f"{path}: the symbols bound to {NEEDED_VERSION} are {bound or 'none'}, not just {SHIM_SYMBOL}; "
                       "this fix does not apply to this TorchSharp build")
    if check_only:
        return f"{path}: needs the fix (system {libstdcxx} lacks {NEEDED_VERSION})"

    # 1. room for the shim's name: the RUNPATH string keeps its $ORIGIN entries, the name follows it
    rp = [(i, t, v) for i, (t, v) in enumerate(entries) if t in (DT_RUNPATH, DT_RPATH)]
    if not rp:
        raise FixError(f"{path}: has no RUNPATH/RPATH string to hold the name {SHIM_NAME}")
    _, _, rp_off = rp[0]
    old = cstr(data, so + rp_off)
    kept = ":".join(p for p in old.split(":") if "$ORIGIN" in p) or "$ORIGIN"
    name_off = rp_off + len(kept.encode()) + 1
    if len(kept.encode()) + 1 + len(SHIM_NAME) > len(old.encode()):
        raise FixError(f"{path}: the RUNPATH string '{old}' is too short to hold {SHIM_NAME}")
    # no other string may live inside the RUNPATH string (a linker may share string tails)
    inside = lambda off: rp_off < off <= rp_off + len(old.encode())
    refs = [v for t, v in entries if t in (DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH)]
    refs += [struct.unpack_from("<I", data, dynsym["offset"] + 24 * i)[0] for i in range(dynsym["size"] // 24)]
    refs += [vf for _, vf, _ in needs] + [a[4] for _, _, auxes in needs for a in auxes]
    verdefs = [s for s in elf.sections if s["type"] == SHT_GNU_VERDEF]
    if verdefs:
        off = verdefs[0]["offset"]
        for _ in range(verdefs[0]["info"]):
            _v, _f, _n, cnt, _h, aux_rel, nxt = struct.unpack_from("<HHHHIII", data, off)
            a = off + aux_rel
            for _ in range(cnt):
                vda_name, vda_next = struct.unpack_from("<II", data, a)
                refs.append(vda_name)
                a += vda_next
            if nxt == 0:
                break
            off += nxt
    if any(inside(r) for r in refs):
        raise FixError(f"{path}: another string shares the RUNPATH string's bytes; cannot reuse them for {SHIM_NAME}")

    # 2. a dynamic slot for DT_NEEDED: a spare DT_NULL, else DT_RELACOUNT / DT_RELCOUNT
    nulls = [i for i, (t, _) in enumerate(entries) if t == DT_NULL]
    if len(nulls) >= 2:
        slot = nulls[0]
    else:
        counts = [i for i, (t, _) in enumerate(entries) if t in (DT_RELACOUNT, DT_RELCOUNT)]
        if not counts:
            raise FixError(f"{path}: the dynamic section has no free slot (no spare DT_NULL, no DT_RELACOUNT) for a DT_NEEDED; "
                           "install patchelf and run: patchelf --add-needed " + SHIM_NAME)
        slot = counts[0]

    shim = build_shim(os.path.dirname(os.path.abspath(path)), cxx)
    buf = bytearray(len(old.encode()))
    enc = kept.encode() + b"\0" + SHIM_NAME.encode()
    buf[:len(enc)] = enc
    data[so + rp_off:so + rp_off + len(buf)] = buf
    struct.pack_into("<qQ", data, dyn["offset"] + 16 * slot, DT_NEEDED, name_off)
    struct.pack_into("<H", data, aux_off + 4, flags | VER_FLG_WEAK)

    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".libLibTorchSharp.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return f"{path}: fixed for {libstdcxx} (lacks {NEEDED_VERSION}): {NEEDED_VERSION} weak, DT_NEEDED {os.path.basename(shim)}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", nargs="+", help="output copies of libLibTorchSharp.so")
    ap.add_argument("--cxx", default="g++", help="C++ compiler for the shim (default g++)")
    ap.add_argument("--libstdcxx", help="the libstdc++.so.6 to check (default: the one ldconfig lists)")
    ap.add_argument("--check", action="store_true", help="only report whether a fix is needed")
    args = ap.parse_args()
    status = 0
    for p in args.path:
        try:
            print(fix(p, args.cxx, args.libstdcxx, args.check))
        except (FixError, OSError, ValueError, struct.error) as e:
            print(f"error MWTORCH1: TorchSharp native fix: {e}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
