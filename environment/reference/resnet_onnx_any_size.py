"""ResNet18.onnx (the ImageNet weights of Microsoft.ML.DnnImageFeaturizer.ResNet18) made to take any batch and image
size, for timing ONNX Runtime on motion-patch-sized inputs (64 x 3 x 224 x 80) beside `mw encode resnet`
(EncodeBench's resnet18-imagenet mode). Never run by CI; Debian's python3-onnx.

The original graph is fixed at [1, 3, 224, 224] and CNTK baked asymmetric "SAME" pads for that size (stem [3, 3, 2, 2],
max pool and stride-2 convolutions [1, 1, 0, 0]) and a fixed 7x7 average pool (pretrained-facts.md). This writes a copy
with the input dims free (N, 3, H, W), the stride-2 pads symmetric (torchvision's: 3 on the stem, 1 elsewhere; equal to
CNTK's on even sizes, needed for layer 4's odd 5-wide input at 224 x 80) and GlobalAveragePool in place of the 7x7 pool:
the network `mw encode resnet` computes. The weights are untouched.

    /usr/bin/python3 environment/reference/resnet_onnx_any_size.py [--onnx PATH] --out /tmp/resnet18-any.onnx
"""
import argparse
import glob
import os

import onnx
from onnx import helper


def main():
    default = sorted(glob.glob(os.path.expanduser(
        "~/.nuget/packages/microsoft.ml.dnnimagefeaturizer.resnet18/*/tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx")))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onnx", default=default[-1] if default else None, help="ResNet18.onnx (default: the NuGet cache's)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if not args.onnx or not os.path.exists(args.onnx):
        raise SystemExit("resnet_onnx_any_size.py: ResNet18.onnx not found; `dotnet build` restores its package, or pass --onnx")
    model = onnx.load(args.onnx)
    graph = model.graph
    dims = graph.input[0].type.tensor_type.shape.dim
    for d, name in zip(dims, ["N", None, "H", "W"]):
        if name:
            d.ClearField("dim_value")
            d.dim_param = name
    for d in graph.output[0].type.tensor_type.shape.dim:
        d.ClearField("dim_value")
        d.dim_param = "?"
    del graph.value_info[:]   # the sizes of a 224 x 224 input; ORT infers the new ones
    pools = 0
    for node in graph.node:
        attrs = {a.name: a for a in node.attribute}
        if node.op_type in ("Conv", "MaxPool") and list(attrs["strides"].ints) == [2, 2]:
            k = attrs["kernel_shape"].ints[0]
            attrs["pads"].ints[:] = [k // 2] * 4
        if node.op_type == "AveragePool":
            replacement = helper.make_node("GlobalAveragePool", list(node.input), list(node.output), name=node.name)
            node.CopyFrom(replacement)
            pools += 1
    if pools != 1:
        raise SystemExit(f"resnet_onnx_any_size.py: expected one AveragePool in {args.onnx}, found {pools}")
    # (no onnx.checker: the original IR-3 export already fails it, its initializers not being listed as graph inputs)
    onnx.save(model, args.out)
    print(f"wrote {args.out}: input (N, 3, H, W), symmetric stride-2 pads, GlobalAveragePool")


if __name__ == "__main__":
    main()
