// The kernel process of `mw notebook run`: `dotnet MotionWorkbench.Notebooks.dll kernel JOB.json`.
if (args.Length == 2 && args[0] == "kernel") return await MotionWorkbench.Notebooks.Kernel.KernelHost.RunAsync(args[1]);
Console.Error.WriteLine("MotionWorkbench.Notebooks is the kernel process of `mw notebook run`; start notebooks with `mw notebook run NOTEBOOK.ipynb`.");
return 2;
