namespace MotionWorkbench.IO;

/// <summary>
/// A path that cannot be written (its folder refuses new files, or a regular file stands where a folder is needed),
/// named as the caller gave it: bad input, not a failure of the work (the command line exits 2 on it).
/// </summary>
public sealed class UnwritablePathException(string message, Exception? inner = null) : IOException(message, inner);
