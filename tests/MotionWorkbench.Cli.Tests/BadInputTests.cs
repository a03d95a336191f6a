using MotionWorkbench.IO;


namespace MotionWorkbench.Cli.Tests;

/// <summary>Bad inputs through the CLI: a clear error naming the file, a non-zero exit, nothing written.</summary>
public class BadInputTests
{
    [Fact]
    public void Encode_vit_refuses_nan_patches_naming_the_file_and_row()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-nan-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            const int frames = 32, width = 40; // patch 8: 5 x 8 points wide
            var data = new float[2 * 3 * frames * width];
            data[3 * frames * width + 17] = float.NaN; // row 1
            string input = Path.Combine(dir, "patches.npy"), output = Path.Combine(dir, "features.npy");
            Npy.Write(input, data, 2, 3, frames, width);
            var r = Mw.Run("encode", "vit", "--preset", "tiny", "--patch-size", "8", "--frames", frames.ToString(), "--input", input, "--out", output);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(input, r.Stderr);
            Assert.Contains("non-finite value NaN in row 1", r.Stderr);
            Assert.False(File.Exists(output));
        }
        finally { Directory.Delete(dir, true); }
    }
}

/// <summary>A run's own checkpoint is accepted where a model file is expected.</summary>
public class RunCheckpointTests
{
    [Fact]
    public void Encode_vit_accepts_a_run_checkpoint()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mw-cli-run-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string data = Path.Combine(dir, "data"), run = Path.Combine(dir, "run");
            var synth = Mw.Run("data", "synth", "--out", data, "--count", "40", "--seed", "3");
            Assert.True(synth.ExitCode == 0, synth.All);
            var train = Mw.Run("train", "--preset", "Smoke", "--data", data, "--out", run, "--set", "train.epochs=1", "--set", "data.maxTrainClips=32");
            Assert.True(train.ExitCode == 0, train.All);
            // Smoke's ViT: patch 16, 64 frames -> (3, 64, 80) inputs.
            string input = Path.Combine(dir, "p.npy"), output = Path.Combine(dir, "f.npy");
            Npy.Write(input, new float[2 * 3 * 64 * 80], 2, 3, 64, 80);
            var r = Mw.Run("encode", "vit", "--checkpoint", Path.Combine(run, "last.safetensors"), "--input", input, "--out", output);
            Assert.True(r.ExitCode == 0, r.All);
            Assert.Equal([2, 64], Npy.Read(output).Shape);
        }
        finally { Directory.Delete(dir, true); }
    }
}
