using System.Text.Json.Nodes;

namespace MotionWorkbench.Notebooks.Kernel;

/// <summary>
/// The kernel process: reads a job file (notebook folder, plotly.js location, the cells to run), runs the cells in order
/// in the real .NET Interactive kernel (<see cref="KernelSession"/>), and reports through <see cref="KernelProtocol"/>. It stops at the first failing
/// cell, as papermill and Polyglot's "run all" do. Started by <see cref="Running.NotebookRunner"/>, one process per notebook.
/// </summary>
public static class KernelHost
{
    public static async Task<int> RunAsync(string jobPath)
    {
        var protocol = new KernelProtocol(Console.OpenStandardOutput());
        JsonObject job;
        try { job = JsonNode.Parse(await File.ReadAllTextAsync(jobPath).ConfigureAwait(false)) as JsonObject ?? throw new InvalidDataException("job is not an object"); }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException)
        {
            protocol.Send(new JsonObject { ["event"] = "fatal", ["message"] = $"cannot read kernel job '{jobPath}': {e.Message}" });
            return 2;
        }
        string dir = (string?)job["notebookDirectory"] ?? Environment.CurrentDirectory;
        if ((string?)job["plotlyBundle"] is { } bundle && File.Exists(bundle)) Render.Plots.PlotlyJs.BundlePath = bundle;
        Directory.SetCurrentDirectory(dir);

        using var session = new KernelSession(protocol, embedPlotly: (bool?)job["embedPlotly"] ?? true);
        Console.SetIn(TextReader.Null);
        await session.WarmUpAsync().ConfigureAwait(false);
        bool ok = true;
        foreach (var cell in (job["cells"] as JsonArray ?? []).OfType<JsonObject>())
        {
            int number = (int)cell["number"]!;
            string kernel = (string?)cell["kernel"] ?? "csharp";
            string source = (string?)cell["source"] ?? "";
            protocol.Send(new JsonObject { ["event"] = "start", ["cell"] = number, ["time"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
            bool cellOk = await session.RunAsync(number, kernel, source).ConfigureAwait(false);
            protocol.Send(new JsonObject { ["event"] = "end", ["cell"] = number, ["ok"] = cellOk, ["time"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
            if (!cellOk) { ok = false; break; }
        }
        protocol.Send(new JsonObject { ["event"] = "done", ["ok"] = ok });
        return ok ? 0 : 1;
    }
}
