using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Eventide.Server;

/// <summary>
/// Prints Eventide's own version. The built-in action prints the entry
/// assembly's, which is the test host's when the CLI runs in-process.
/// </summary>
public sealed class VersionAction(TextWriter output) : SynchronousCommandLineAction
{
    public static string Version =>
        typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public override int Invoke(ParseResult parseResult)
    {
        output.WriteLine(Version);
        return 0;
    }
}
