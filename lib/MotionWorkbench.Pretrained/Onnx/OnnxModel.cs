namespace MotionWorkbench.Pretrained.Onnx;

/// <summary>
/// What the workbench reads of an ONNX <c>ModelProto</c>: its versions, producer and graph. Fields the workbench does
/// not use (doc strings, value infos, metadata, functions, training info) are skipped by the reader.
/// </summary>
public sealed record OnnxModel(long IrVersion, string ProducerName, string ProducerVersion, IReadOnlyList<OnnxOpset> Opsets, OnnxGraph Graph)
{
    /// <summary>The default-domain opset (0 when the file names none).</summary>
    public long Opset => Opsets.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
}

/// <summary>An <c>OperatorSetIdProto</c>.</summary>
public sealed record OnnxOpset(string Domain, long Version);
