using MotionWorkbench.Pretrained.Onnx;
using MotionWorkbench.Pretrained.Tests.Support;

namespace MotionWorkbench.Pretrained.Tests;

public class ResNetConversionTests
{
    [Fact]
    public void StateDict_TinyResNet_GivesTorchvisionNamesFromTheGraphsConnections()
    {
        var graph = OnnxReader.Read(TinyResNet.Model(), "tiny.onnx").Graph;
        var (tensors, layout) = ResNetOnnxNames.StateDict(graph, "tiny.onnx");
        string[] bn = ["weight", "bias", "running_mean", "running_var"];
        string[] Block(string p, bool down) =>
            [p + "conv1.weight", .. bn.Select(s => p + "bn1." + s), p + "conv2.weight", .. bn.Select(s => p + "bn2." + s),
             .. down ? [p + "downsample.0.weight", .. bn.Select(s => p + "downsample.1." + s)] : Array.Empty<string>()];
        string[] expected = ["conv1.weight", .. bn.Select(s => "bn1." + s), .. Block("layer1.0.", false), .. Block("layer2.0.", true)];
        Assert.Equal(expected, tensors.Select(t => t.Name));
        Assert.Equal([1, 1], layout.Stages);
        Assert.Equal([2, 4], layout.Widths);
        Assert.Equal(1e-5f, layout.BatchNormEps);
        var byName = tensors.ToDictionary(t => t.Name, t => t.Tensor);
        // the shortcut conv (Parameter4, written first in the graph) is downsample.0; the block's convs are 5 and 6
        Assert.Equal(4f, byName["layer2.0.downsample.0.weight"].Data[0]);
        Assert.Equal(5f, byName["layer2.0.conv1.weight"].Data[0]);
        Assert.Equal(6f, byName["layer2.0.conv2.weight"].Data[0]);
        Assert.Equal([4, 2, 1, 1], byName["layer2.0.downsample.0.weight"].Shape);
        // batch norms are numbered in graph order (stem 0, b1 1, b2 2, bd 3, b3 4, b4 5); their inputs are scale, B, mean, var
        Assert.Equal(100 + 10 * 0 + 1, byName["bn1.bias"].Data[0]);
        Assert.Equal(100 + 10 * 3 + 2, byName["layer2.0.downsample.1.running_mean"].Data[0]);
        Assert.Equal(100 + 10 * 4 + 3, byName["layer2.0.bn1.running_var"].Data[0]);
        Assert.Equal(100 + 10 * 5 + 0, byName["layer2.0.bn2.weight"].Data[0]);
    }

    [Fact]
    public void StateDict_ConvWithBias_Throws()
    {
        var graph = OnnxReader.Read(TinyResNet.Model(convBias: true), "tiny.onnx").Graph;
        var e = Assert.Throws<InvalidDataException>(() => ResNetOnnxNames.StateDict(graph, "tiny.onnx"));
        Assert.Contains("Conv node 'Convolution2' ('layer1.0.conv1') has a bias", e.Message);
    }

    [Fact]
    public void StateDict_ConvOutsideTheBlocks_Throws()
    {
        var graph = OnnxReader.Read(TinyResNet.Model(extraConv: true), "tiny.onnx").Graph;
        var e = Assert.Throws<InvalidDataException>(() => ResNetOnnxNames.StateDict(graph, "tiny.onnx"));
        Assert.Contains("1 Conv/BatchNormalization nodes are outside the stem and the blocks (first: Conv node 'Convolution7')", e.Message);
    }

    [Fact]
    public void StateDict_NotAResNet_Throws()
    {
        var graph = OnnxReader.Read(TinyBert.Model(), "bert.onnx").Graph;
        var e = Assert.Throws<InvalidDataException>(() => ResNetOnnxNames.StateDict(graph, "bert.onnx"));
        Assert.Equal("bert.onnx: the graph's names cannot be mapped to a torchvision ResNet: no Conv reads the graph input", e.Message);
    }
}
