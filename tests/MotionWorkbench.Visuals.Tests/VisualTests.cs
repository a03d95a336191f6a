using System.Buffers.Binary;
using System.IO.Compression;
using MotionWorkbench.Data.Skeletons;
using MotionWorkbench.IO;
using MotionWorkbench.Patches;
using MotionWorkbench.Patches.Tests;
using MotionWorkbench.Render.Images;

namespace MotionWorkbench.Visuals.Tests;

public class VisualTests
{
    private static MotionPatch Patch(int valid = 150)
    {
        var clip = TestClips.Make(valid);
        var stats = MotionStatistics.Compute([clip]);
        return new MotionPatchBuilder(stats).Build(clip);
    }

    [Fact]
    public void ToRgb_Plain_MapsXyzToRgbWithTimeDownward()
    {
        var patch = Patch();
        var image = PatchImage.ToRgb(patch);
        Assert.Equal(80, image.Width);
        Assert.Equal(224, image.Height);
        foreach (var (t, w) in new[] { (0, 0), (10, 17), (149, 79), (200, 40) })
        {
            int o = (t * 80 + w) * 3;
            Assert.Equal(PatchColours.ToByte(patch[0, t, w]), image.Pixels[o]);
            Assert.Equal(PatchColours.ToByte(patch[1, t, w]), image.Pixels[o + 1]);
            Assert.Equal(PatchColours.ToByte(patch[2, t, w]), image.Pixels[o + 2]);
        }
        // Padding is the dataset mean: mid grey.
        Assert.Equal([128, 128, 128], image.Pixels[(((200 * 80) + 40) * 3)..((200 * 80 + 40) * 3 + 3)]);
    }

    [Fact]
    public void ToRgb_Overlays_UpscaleStripBoundariesGrid()
    {
        var patch = Patch();
        var image = PatchImage.ToRgb(patch, new PatchImageOptions(Scale: 3, PartStripHeight: 8));
        Assert.Equal(240, image.Width);
        Assert.Equal(8 + 672, image.Height);
        byte[] Pixel(int x, int y) => image.Pixels[(((y * image.Width) + x) * 3)..((y * image.Width + x) * 3 + 3)];
        var (r, g, b) = PatchColours.PartColour(BodyPart.RightArm);
        Assert.Equal(new[] { r, g, b }, Pixel(3 * 48 + 5, 2));          // strip over the right-arm band
        Assert.Equal(new byte[] { 255, 255, 255 }, Pixel(3 * 16, 100)); // band boundary
        Assert.Equal(new byte[] { 0, 0, 0 }, Pixel(7, 8 + 3 * 16));     // window grid line at frame 16
        Assert.Equal(new byte[] { 255, 221, 0 }, Pixel(7, 8 + 3 * 150)); // start of padding
        // Nearest neighbour: the 3 x 3 block of frame 5, column 2 has one colour.
        var expected = new[] { PatchColours.ToByte(patch[0, 5, 2]), PatchColours.ToByte(patch[1, 5, 2]), PatchColours.ToByte(patch[2, 5, 2]) };
        for (int dy = 0; dy < 3; dy++)
            for (int dx = 0; dx < 3; dx++)
                Assert.Equal(expected, Pixel(6 + dx, 8 + 15 + dy));
    }

    [Fact]
    public void ToPng_Decodes_SignatureChunksCrcZlibAndSize()
    {
        var patch = Patch();
        var png = PatchImage.ToPng(patch, new PatchImageOptions(Scale: 2, PartStrip: false));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);

        // Walk the chunks ourselves: lengths, CRCs and order IHDR ... IDAT ... IEND.
        int pos = 8;
        var names = new List<string>();
        using var idat = new MemoryStream();
        while (pos < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string name = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            Assert.Equal(Crc32.Compute(png.AsSpan(pos + 4, 4 + length)), crc);
            if (name == "IHDR")
            {
                Assert.Equal(160, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos + 8)));
                Assert.Equal(448, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos + 12)));
            }
            if (name == "IDAT") idat.Write(png, pos + 8, length);
            names.Add(name);
            pos += 12 + length;
        }
        Assert.Equal(png.Length, pos);
        Assert.Equal("IHDR", names[0]);
        Assert.Equal("IEND", names[^1]);
        // The zlib stream inflates to height x (1 + width x 3) bytes.
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        Assert.Equal(448 * (1 + 160 * 3), raw.Length);

        var decoded = Png.Decode(png);
        Assert.Equal(160, decoded.Width);
        Assert.Equal(448, decoded.Height);
        Assert.Equal(PatchImage.ToRgb(patch, new PatchImageOptions(Scale: 2, PartStrip: false)).Pixels, decoded.Pixels);
    }

    [Fact]
    public void ToPng_CorruptedCrc_IsDetected()
    {
        var png = PatchImage.ToPng(Patch());
        png[8 + 8 + 13] ^= 0xFF; // a byte of the IHDR CRC
        Assert.Throws<InvalidDataException>(() => Png.Decode(png));
    }

    [Fact]
    public void SkeletonAnimation_IsSelfContainedWithControlsAndLegend()
    {
        var clip = TestClips.Make(30);
        var html = SkeletonAnimation.ToHtml(clip);
        Assert.Contains("<canvas", html);
        Assert.Contains("data-role=\"play\"", html);
        Assert.Contains("type=\"range\"", html);
        Assert.Contains("max=\"29\"", html);
        foreach (var part in PatchColours.PartNames) Assert.Contains(part, html);
        foreach (var p in Enum.GetValues<BodyPart>()) Assert.Contains(PatchColours.PartCss(p), html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<script src", html);
        Assert.Contains("const T=30,J=22", html);
        // 21 bones for the 22-joint SMPL skeleton.
        Assert.Contains("const bones=[[0,1],", html);
        var doc = SkeletonAnimation.ToHtmlDocument(clip);
        Assert.StartsWith("<!DOCTYPE html>", doc);
        Assert.Contains("a person walks forward", doc);
    }

    [Fact]
    public void SkeletonAnimation_BoneColoursFollowTheParts()
    {
        var (bones, colours) = SkeletonAnimation.Bones(Skeleton.Smpl22);
        Assert.Equal(21, bones.Count);
        Assert.Equal(PatchColours.PartCss(BodyPart.RightLeg), colours[bones.IndexOf((0, 2))]);
        Assert.Equal(PatchColours.PartCss(BodyPart.LeftArm), colours[bones.IndexOf((18, 20))]);
        Assert.Equal(PatchColours.PartCss(BodyPart.Spine), colours[bones.IndexOf((12, 15))]);
        Assert.Equal(PatchColours.PartCss(BodyPart.RightArm), colours[bones.IndexOf((9, 14))]);
    }

    [Fact]
    public void MotionFigure_HoldsCaptionAnimationAndPatchImage()
    {
        var clip = TestClips.Make(60, id: "fig<1>");
        var patch = new MotionPatchBuilder(MotionStatistics.Compute([clip])).Build(clip);
        var html = MotionFigure.ToHtmlDocument(clip, patch);
        Assert.Contains("a person walks forward", html);
        Assert.Contains("fig&lt;1&gt;", html);
        Assert.DoesNotContain("fig<1>", html);
        Assert.Contains("<canvas", html);
        int start = html.IndexOf("data:image/png;base64,", StringComparison.Ordinal) + "data:image/png;base64,".Length;
        Assert.True(start > 30);
        var b64 = html[start..html.IndexOf('"', start)];
        var decoded = Png.Decode(Convert.FromBase64String(b64));
        Assert.Equal(160, decoded.Width); // default scale: (420 + 80) / 224 = 2
        Assert.Contains("x\u2192R, y\u2192G, z\u2192B", html);
    }
}

public class VisualViewTests
{
    [Fact]
    public void Views_WrapThePngAndTheHtml()
    {
        var clip = TestClips.Make(40);
        var patch = new MotionPatchBuilder(MotionStatistics.Compute([clip])).Build(clip);
        var image = PatchImage.ToView(patch, PatchImageOptions.ForOverlay);
        Assert.Equal(240, image.Width);
        Assert.Equal(672, image.Height); // no strip: rows are exactly T x scale, as overlays expect
        Assert.Equal(PatchImage.ToPng(patch, PatchImageOptions.ForOverlay), image.PngBytes);
        Assert.Contains("<canvas", SkeletonAnimation.ToView(clip).ToHtml());
        Assert.Contains("data:image/png;base64,", MotionFigure.ToView(clip, patch).ToHtml());
    }
}

public class PatchGalleryTests
{
    [Fact]
    public void Gallery_ShowsEveryPatchWithItsCaption()
    {
        var clips = new[] { TestClips.Make(30, id: "a"), TestClips.Make(50, id: "b&c") };
        var builder = new MotionPatchBuilder(MotionStatistics.Compute(clips));
        var html = PatchGallery.ToHtml(clips.Select(c => (builder.Build(c), (string?)$"caption of {c.Id}")));
        Assert.Equal(2, html.Split("data:image/png;base64,").Length - 1);
        Assert.Contains("caption of a", html);
        Assert.Contains("b&amp;c", html);
        Assert.Throws<ArgumentException>(() => PatchGallery.ToHtml([]));
    }
}
