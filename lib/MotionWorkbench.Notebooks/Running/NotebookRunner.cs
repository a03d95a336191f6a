using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MotionWorkbench.Notebooks.Ipynb;
using MotionWorkbench.Notebooks.Kernel;

namespace MotionWorkbench.Notebooks.Running;

/// <summary>
/// Runs a notebook headless: applies <c>--param</c> overrides, starts a fresh kernel process, collects its outputs into the
/// cells (streams merged, <c>display</c> updates applied in place, errors with cell and line), echoes stdout/stderr live,
/// enforces the per-cell timeout by killing the kernel, and records each cell's start and end in
/// <c>metadata.execution</c> (JupyterLab's keys). The caller decides where the executed notebook and the report go.
/// </summary>
public static class NotebookRunner
{
    public static async Task<RunResult> RunAsync(string notebookPath, RunOptions options, CancellationToken cancellation = default)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        string fullPath = Path.GetFullPath(notebookPath);
        var notebook = Notebook.Load(fullPath);
        ParameterInjector.Apply(notebook, options.Parameters);
        string name = Path.GetFileName(fullPath);
        string directory = Path.GetDirectoryName(fullPath)!;

        var job = new JsonArray();
        var byNumber = new Dictionary<int, NotebookCell>();
        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            if (!cell.IsCode) continue;
            cell.Outputs.Clear();
            cell.ExecutionCount = null;
            cell.Metadata.Remove("execution");
            string kernel = cell.KernelName(notebook.DefaultKernel);
            if (kernel == "markdown" || string.IsNullOrWhiteSpace(cell.Source)) continue;
            byNumber[i + 1] = cell;
            job.Add(new JsonObject { ["number"] = i + 1, ["kernel"] = kernel, ["source"] = cell.Source });
        }

        string? bundle = options.PlotlyBundle ?? Render.Plots.PlotlyJs.Find(directory) ?? Render.Plots.PlotlyJs.Find(AppContext.BaseDirectory);
        string jobPath = Path.Combine(Path.GetTempPath(), $"mw-kernel-job-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(jobPath, new JsonObject
        {
            ["notebookDirectory"] = directory,
            ["plotlyBundle"] = bundle,
            ["embedPlotly"] = options.EmbedPlotly,
            ["cells"] = job,
        }.ToJsonString(), cancellation).ConfigureAwait(false);

        var run = new RunState(byNumber, options, name);
        try
        {
            if (job.Count > 0) await run.ExecuteAsync(jobPath, directory, cancellation).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(jobPath);
        }
        // A cell that failed with an exception: its first error (type and message) says why, in the index page and the test logs.
        string? failure = run.FailureMessage ?? (run.FailedCell is not null ? run.FirstError : null);
        return new RunResult(fullPath, notebook, byNumber.Count, run.CellsRun, run.FailedCell, run.TimedOut, failure, started, clock.Elapsed);
    }

    /// <summary>Parses <c>name=value</c> strings (the value may contain '=').</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseParameters(IEnumerable<string> items)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var item in items)
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ArgumentException($"--param '{item}' must look like name=value");
            list.Add(KeyValuePair.Create(item[..eq].Trim(), item[(eq + 1)..]));
        }
        return list;
    }

    private sealed class RunState(Dictionary<int, NotebookCell> cells, RunOptions options, string name)
    {
        private readonly Lock gate = new();
        private readonly Dictionary<string, JsonObject> displays = [];
        private readonly StringBuilder kernelStderr = new();
        private int? currentCell;
        private DateTimeOffset currentStart;
        private int executionCount;
        private bool done;

        public int CellsRun { get; private set; }
        public int? FailedCell { get; private set; }
        public bool TimedOut { get; private set; }
        public string? FailureMessage { get; private set; }
        /// <summary>The first error output of the run ("ename: evalue", at most 2,000 characters), or null.</summary>
        public string? FirstError { get; private set; }

        public async Task ExecuteAsync(string jobPath, string directory, CancellationToken cancellation)
        {
            var startInfo = KernelProcess.StartInfo(jobPath, directory);
            foreach (var (key, value) in options.KernelEnvironment ?? new Dictionary<string, string>()) startInfo.Environment[key] = value;
            using var process = new Process { StartInfo = startInfo };
            if (!process.Start()) throw new InvalidOperationException("could not start the kernel process");
            process.StandardInput.Close();
            var stderrTask = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync(cancellation).ConfigureAwait(false) is { } line)
                {
                    lock (gate) kernelStderr.AppendLine(line);
                    options.EchoErr?.WriteLine(line);
                }
            }, cancellation);
            var stdoutTask = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync(cancellation).ConfigureAwait(false) is { } line)
                {
                    var message = KernelProtocol.TryParse(line);
                    if (message is null) Stream("stdout", line + "\n");
                    else Handle(message);
                }
            }, cancellation);

            using var registration = cancellation.Register(() => Kill(process));
            while (!process.HasExited)
            {
                await Task.WhenAny(process.WaitForExitAsync(cancellation), Task.Delay(100, cancellation)).ConfigureAwait(false);
                if (options.CellTimeout is { } limit)
                {
                    int? timedOutCell = null;
                    lock (gate)
                    {
                        if (currentCell is { } c && DateTimeOffset.UtcNow - currentStart > limit && !TimedOut)
                        {
                            TimedOut = true;
                            timedOutCell = c;
                        }
                    }
                    if (timedOutCell is { } cellNumber)
                    {
                        Kill(process);
                        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                        string text = $"Cell {cellNumber} ran past the cell timeout of {limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s; "
                                      + "the kernel process was stopped and the cells after it did not run";
                        lock (gate)
                        {
                            var cell = cells[cellNumber];
                            cell.Outputs.Add(Error("TimeoutError", text, [text]));
                            EndCell(cellNumber, ok: false);
                            FailureMessage = text;
                        }
                        options.EchoErr?.WriteLine($"[{name}] {text}");
                    }
                }
            }
            await Task.WhenAll(stdoutTask, stderrTask).ConfigureAwait(false);
            cancellation.ThrowIfCancellationRequested();
            lock (gate)
            {
                if (!done && !TimedOut)
                {
                    string stderr = kernelStderr.ToString();
                    // A stack overflow's dump repeats one frame for pages: its first line and first frame say it.
                    bool overflow = stderr.Contains("Stack overflow.", StringComparison.Ordinal);
                    string tail = overflow
                        ? "a stack overflow (unbounded recursion?) ended it; " + string.Join(" ", stderr.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("at ", StringComparison.Ordinal)).Take(1))
                        : Tail(stderr, 2000);
                    string text = $"the kernel process exited with code {process.ExitCode} before the notebook finished" + (tail.Length > 0 ? ": " + tail : "")
                        + (currentCell is not null && !overflow ? " (the cell ended the kernel process, e.g. with Environment.Exit; a notebook cell must not exit the process)" : "");
                    if (currentCell is { } c)
                    {
                        cells[c].Outputs.Add(Error("KernelDied", $"Cell {c}: {text}", [$"Cell {c}: {text}"]));
                        EndCell(c, ok: false);
                    }
                    FailureMessage = text;
                }
            }
        }

        private void Handle(JsonObject message)
        {
            string kind = (string?)message["event"] ?? "";
            int cellNumber = message["cell"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
            lock (gate)
            {
                cells.TryGetValue(cellNumber, out var cell);
                switch (kind)
                {
                    case "start" when cell is not null:
                        currentCell = cellNumber;
                        currentStart = DateTimeOffset.UtcNow;                  // the timeout counts from when the runner hears of it
                        cell.ExecutionCount = ++executionCount;
                        cell.Metadata["execution"] = new JsonObject { ["iopub.execute_input"] = Iso(KernelTime(message) ?? currentStart) };
                        break;
                    case "stream":
                        Stream((string?)message["name"] ?? "stdout", (string?)message["text"] ?? "", cellNumber);
                        break;
                    case "output" when cell is not null && message["output"] is JsonObject output:
                        var copy = (JsonObject)output.DeepClone();
                        cell.Outputs.Add(copy);
                        if ((string?)message["display_id"] is { } id) displays[id] = copy;
                        if ((string?)copy["output_type"] == "error")
                        {
                            string error = $"{(string?)copy["ename"]}: {(string?)copy["evalue"]}";
                            FirstError ??= error.Length > 2000 ? error[..2000] + " ..." : error;
                            options.EchoErr?.WriteLine($"[{name}] {(string?)copy["evalue"]}");
                        }
                        break;
                    case "update" when message["display_id"] is JsonValue idValue && message["output"] is JsonObject updated:
                        if (displays.TryGetValue(idValue.GetValue<string>(), out var target))
                            target["data"] = updated["data"]?.DeepClone();
                        break;
                    case "end" when cell is not null:
                        bool ok = message["ok"] is JsonValue okValue && okValue.GetValue<bool>();
                        EndCell(cellNumber, ok, KernelTime(message));
                        break;
                    case "done":
                        done = true;
                        currentCell = null;
                        break;
                    case "fatal":
                        FailureMessage = (string?)message["message"];
                        break;
                }
            }
        }

        private static DateTimeOffset? KernelTime(JsonObject message)
            => (string?)message["time"] is { } t && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : null;

        private void EndCell(int cellNumber, bool ok, DateTimeOffset? at = null)
        {
            var cell = cells[cellNumber];
            var end = at ?? DateTimeOffset.UtcNow;
            if (cell.Metadata["execution"] is JsonObject exec) exec["shell.execute_reply"] = Iso(end);
            CellsRun++;
            if (!ok && FailedCell is null) FailedCell = cellNumber;
            if (currentCell == cellNumber) currentCell = null;
            var seconds = cell.Metadata["execution"] is JsonObject e && DateTimeOffset.TryParse((string?)e["iopub.execute_input"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var s)
                ? (end - s).TotalSeconds : 0;
            options.EchoErr?.WriteLine($"[{name}] cell {cellNumber}: {(ok ? "ok" : "FAILED")} ({seconds.ToString("0.00", CultureInfo.InvariantCulture)} s)");
        }

        private void Stream(string stream, string text, int cellNumber = 0)
        {
            (stream == "stderr" ? options.EchoErr : options.EchoOut)?.Write(text);
            lock (gate)
            {
                int number = cellNumber != 0 && cells.ContainsKey(cellNumber) ? cellNumber : currentCell ?? 0;
                if (!cells.TryGetValue(number, out var cell)) return;
                if (cell.Outputs.Count > 0 && cell.Outputs[^1] is { } last && (string?)last["output_type"] == "stream" && (string?)last["name"] == stream)
                    last["text"] = (string?)last["text"] + text;
                else
                    cell.Outputs.Add(new JsonObject { ["name"] = stream, ["output_type"] = "stream", ["text"] = text });
            }
        }

        private static JsonObject Error(string ename, string evalue, IEnumerable<string> traceback) => new()
        {
            ["ename"] = ename,
            ["evalue"] = evalue,
            ["output_type"] = "error",
            ["traceback"] = new JsonArray([.. traceback.Select(t => (JsonNode?)t)]),
        };

        private static void Kill(Process process)
        {
            try { if (!process.HasExited) process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
        }

        private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

        private static string Tail(string s, int max) => (s.Length <= max ? s : "..." + s[^max..]).Trim();
    }
}
