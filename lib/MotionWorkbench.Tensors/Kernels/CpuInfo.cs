using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace MotionWorkbench.Tensors.Kernels;

/// <summary>
/// The CPU this process runs on, for benchmark reports: vendor, family/model/stepping (CPUID leaf 1), the model name
/// (/proc/cpuinfo where present, else the CPUID brand string) and the SIMD instruction sets .NET uses here
/// (<c>System.Runtime.Intrinsics.X86</c> IsSupported; AVX-512 VNNI and BF16 have no IsSupported in .NET 10 and come from
/// CPUID leaf 7, reported only where the OS enables AVX-512 state). Judge a GFLOP/s figure against the peak of the CPU it
/// ran on: machines of one kind are not all the same CPU (perf-anchors.md).
/// </summary>
/// <param name="Vendor">CPUID vendor string (AuthenticAMD, GenuineIntel) or the architecture off x86.</param>
/// <param name="Family">Display family (base + extended), 0 where unknown.</param>
/// <param name="Model">Display model (extended model included for families 6 and 15+), 0 where unknown.</param>
/// <param name="Stepping">Stepping, 0 where unknown.</param>
/// <param name="ModelName">"model name" of /proc/cpuinfo, else the brand string, else null.</param>
/// <param name="Isa">Instruction sets: AVX2, FMA, AVX-512F, AVX-512BW, AVX-512DQ, AVX-512VL, AVX-512VNNI, AVX-512BF16 as present.</param>
public sealed record CpuInfo(string Vendor, int Family, int Model, int Stepping, string? ModelName, IReadOnlyList<string> Isa)
{
    /// <summary>This machine's CPU (read once).</summary>
    public static CpuInfo Current { get; } = Detect();

    /// <summary>Whether .NET runs Vector512 in hardware here (the AVX-512 GEMM kernel can be chosen).</summary>
    public static bool Vector512Accelerated => Vector512.IsHardwareAccelerated;

    /// <summary>One line: name, vendor, family/model/stepping, the instruction sets and whether Vector512 is accelerated.</summary>
    public override string ToString()
    {
        string id = Family > 0 ? $"{Vendor} family {Family} model {Model} stepping {Stepping}" : Vendor;
        string isa = Isa.Count > 0 ? string.Join(" ", Isa) : "no AVX2/AVX-512";
        return $"{ModelName ?? "unknown model"} ({id}); ISA: {isa}; Vector512 {(Vector512Accelerated ? "hardware-accelerated" : "not hardware-accelerated")}";
    }

    /// <summary>Family, model and stepping from CPUID leaf 1's EAX (the display values /proc/cpuinfo prints).</summary>
    public static (int Family, int Model, int Stepping) DecodeSignature(uint eax)
    {
        int stepping = (int)(eax & 0xF), baseModel = (int)((eax >> 4) & 0xF), baseFamily = (int)((eax >> 8) & 0xF);
        int extModel = (int)((eax >> 16) & 0xF), extFamily = (int)((eax >> 20) & 0xFF);
        int family = baseFamily == 0xF ? baseFamily + extFamily : baseFamily;
        int model = baseFamily is 0x6 or 0xF ? (extModel << 4) + baseModel : baseModel;
        return (family, model, stepping);
    }

    /// <summary>The first "model name" of a /proc/cpuinfo text, or null.</summary>
    public static string? ModelNameFrom(string procCpuinfo)
    {
        foreach (var line in procCpuinfo.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == "model name") return line[(colon + 1)..].Trim() is { Length: > 0 } name ? name : null;
        }
        return null;
    }

    private static CpuInfo Detect()
    {
        string? name = null;
        try
        {
            if (File.Exists("/proc/cpuinfo")) name = ModelNameFrom(File.ReadAllText("/proc/cpuinfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        if (!X86Base.IsSupported) return new CpuInfo(RuntimeInformation.ProcessArchitecture.ToString(), 0, 0, 0, name, []);
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        string vendor = Encoding.ASCII.GetString([.. BitConverter.GetBytes(ebx), .. BitConverter.GetBytes(edx), .. BitConverter.GetBytes(ecx)]);
        var (family, model, stepping) = DecodeSignature((uint)X86Base.CpuId(1, 0).Eax);
        name ??= BrandString();
        var isa = new List<string>();
        if (Avx2.IsSupported) isa.Add("AVX2");
        if (Fma.IsSupported) isa.Add("FMA");
        if (Avx512F.IsSupported)
        {
            isa.Add("AVX-512F");
            if (Avx512BW.IsSupported) isa.Add("AVX-512BW");
            if (Avx512DQ.IsSupported) isa.Add("AVX-512DQ");
            if (Avx512F.VL.IsSupported) isa.Add("AVX-512VL");
            int maxLeaf = X86Base.CpuId(0, 0).Eax;
            if (maxLeaf >= 7 && (X86Base.CpuId(7, 0).Ecx & (1 << 11)) != 0) isa.Add("AVX-512VNNI");
            if (maxLeaf >= 7 && X86Base.CpuId(7, 0).Eax >= 1 && (X86Base.CpuId(7, 1).Eax & (1 << 5)) != 0) isa.Add("AVX-512BF16");
        }
        return new CpuInfo(vendor, family, model, stepping, name, isa);
    }

    private static string? BrandString()
    {
        if ((uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax < 0x80000004) return null;
        var bytes = new List<byte>();
        for (uint leaf = 0x80000002; leaf <= 0x80000004; leaf++)
        {
            var (a, b, c, d) = X86Base.CpuId((int)leaf, 0);
            foreach (int r in new[] { a, b, c, d }) bytes.AddRange(BitConverter.GetBytes(r));
        }
        return Encoding.ASCII.GetString([.. bytes]).TrimEnd('\0').Trim() is { Length: > 0 } s ? s : null;
    }
}
