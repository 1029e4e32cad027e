using Eventide.Testing;

namespace Eventide.Storage.Tests;

/// <summary>
/// The private installation copy the stand-in TimescaleDB tests run on, over a tree of the
/// test's own that plays the system installation, so a regression cannot touch the machine's.
/// </summary>
public sealed class PostgresInstallCopyTests : IDisposable
{
    private const string RealControl = "default_version = '2.28.3'\nmodule_pathname = '$libdir/timescaledb-2.28.3'\n";
    private readonly string _system = Path.Combine(Path.GetTempPath(), "eventide-fake-system-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public void An_extra_file_named_like_a_system_one_replaces_it_in_the_copy_and_leaves_the_system_file_alone()
    {
        var bin = Path.Combine(_system, "lib/postgresql/15/bin");
        var extension = Path.Combine(_system, "share/postgresql/15/extension");
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(Path.Combine(_system, "lib/postgresql/15/lib"));
        Directory.CreateDirectory(extension);
        Directory.CreateDirectory(Path.Combine(_system, "share/postgresql/15/timezonesets"));
        File.WriteAllText(Path.Combine(bin, "postgres"), "binary");
        File.WriteAllText(Path.Combine(extension, "timescaledb.control"), RealControl);
        File.WriteAllText(Path.Combine(extension, "plpgsql.control"), "default_version = '1.0'\n");

        string copyRoot;
        using (var copy = PostgresInstallCopy.Create(
            new Dictionary<string, string> { ["timescaledb.control"] = "stand-in\n", ["timescaledb--1.0.sql"] = "SELECT 1;\n" },
            bin, Path.Combine(_system, "share/postgresql")))
        {
            Assert.Equal(RealControl, File.ReadAllText(Path.Combine(extension, "timescaledb.control")));
            Assert.False(File.Exists(Path.Combine(extension, "timescaledb--1.0.sql")), "the stand-in's script was written into the system tree");

            var replaced = new FileInfo(Path.Combine(copy.ExtensionDirectory, "timescaledb.control"));
            Assert.Null(replaced.LinkTarget);
            Assert.Equal("stand-in\n", File.ReadAllText(replaced.FullName));
            Assert.Equal("SELECT 1;\n", File.ReadAllText(Path.Combine(copy.ExtensionDirectory, "timescaledb--1.0.sql")));
            Assert.Equal(Path.Combine(extension, "plpgsql.control"), new FileInfo(Path.Combine(copy.ExtensionDirectory, "plpgsql.control")).LinkTarget);
            Assert.Equal("binary", File.ReadAllText(Path.Combine(copy.BinDirectory, "postgres")));
            copyRoot = Path.GetFullPath(Path.Combine(copy.BinDirectory, "../../../../.."));
        }

        Assert.False(Directory.Exists(copyRoot), "the copy outlived its disposal");
        Assert.Equal(RealControl, File.ReadAllText(Path.Combine(extension, "timescaledb.control")));
    }

    public void Dispose() => Directory.Delete(_system, recursive: true);
}
