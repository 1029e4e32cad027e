namespace Eventide.Testing;

/// <summary>
/// A private copy of the machine's PostgreSQL installation with extra extension
/// files, so a test can offer an extension (for example a stand-in
/// <c>timescaledb</c>) without writing into the system install that other users
/// and test runs share. PostgreSQL 15 has no setting for another extension
/// directory, but it finds its share and lib directories relative to the real
/// location of its binaries: so the binaries are copied (symbolic links would
/// resolve back to the system tree), and everything else is linked.
/// </summary>
public sealed class PostgresInstallCopy : IDisposable
{
    private readonly string _root;

    private PostgresInstallCopy(string root, string bin, string extension)
    {
        _root = root;
        BinDirectory = bin;
        ExtensionDirectory = extension;
    }

    /// <summary>The copied bin directory, for <see cref="PrivatePostgres.StartAsync"/>.</summary>
    public string BinDirectory { get; }

    /// <summary>The copy's extension directory: the system's files linked, the extra ones written.</summary>
    public string ExtensionDirectory { get; }

    /// <summary>Copies the installation of <see cref="PrivatePostgres.BinDirectory"/> and adds the
    /// given files (name → content) to its extension directory.</summary>
    public static PostgresInstallCopy Create(IReadOnlyDictionary<string, string> extensionFiles) =>
        Create(extensionFiles, Path.GetFullPath(PrivatePostgres.BinDirectory), "/usr/share/postgresql");

    /// <summary>The same from an installation at <paramref name="systemBin"/> whose share
    /// directories are under <paramref name="shareRoot"/>: a test's own tree stands in for the system's.</summary>
    public static PostgresInstallCopy Create(IReadOnlyDictionary<string, string> extensionFiles, string systemBin, string shareRoot)
    {
        ArgumentNullException.ThrowIfNull(extensionFiles);
        // Debian: /usr/lib/postgresql/15/bin, share /usr/share/postgresql/15, lib /usr/lib/postgresql/15/lib.
        var version = Path.GetFileName(Path.GetDirectoryName(systemBin))!;
        var systemShare = Path.Combine(shareRoot, version);
        var systemLib = Path.Combine(Path.GetDirectoryName(systemBin)!, "lib");
        if (!Directory.Exists(systemShare) || !Directory.Exists(systemLib))
        {
            throw new InvalidOperationException($"not a Debian PostgreSQL layout: {systemBin} (expected {systemShare} and {systemLib})");
        }

        var root = Path.Combine(Path.GetTempPath(), "eventide-pginstall-" + Guid.NewGuid().ToString("N")[..10]);
        var bin = Path.Combine(root, "usr/lib/postgresql", version, "bin");
        var share = Path.Combine(root, "usr/share/postgresql", version);
        var extension = Path.Combine(share, "extension");
        var copy = new PostgresInstallCopy(root, bin, extension);
        try
        {
            Directory.CreateDirectory(bin);
            foreach (var file in Directory.GetFiles(systemBin))
            {
                File.Copy(file, Path.Combine(bin, Path.GetFileName(file)));
            }
            File.CreateSymbolicLink(Path.Combine(root, "usr/lib/postgresql", version, "lib"), systemLib);
            Directory.CreateDirectory(extension);
            foreach (var entry in Directory.GetFileSystemEntries(systemShare).Where(e => Path.GetFileName(e) != "extension"))
            {
                File.CreateSymbolicLink(Path.Combine(share, Path.GetFileName(entry)), entry);
            }
            // An extra file replaces the system's file of that name instead of being written through
            // its link: with the real timescaledb installed, writing a stand-in's control file through
            // the link overwrote the system's own, and the real extension was broken for everyone.
            foreach (var file in Directory.GetFiles(Path.Combine(systemShare, "extension")).Where(f => !extensionFiles.ContainsKey(Path.GetFileName(f))))
            {
                File.CreateSymbolicLink(Path.Combine(extension, Path.GetFileName(file)), file);
            }
            foreach (var (name, content) in extensionFiles)
            {
                File.WriteAllText(Path.Combine(extension, name), content);
            }
            // The server runs as the postgres user when the tests run as root: it must read the tree.
            foreach (var dir in Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Prepend(root))
            {
                if (!OperatingSystem.IsLinux())
                {
                    break;
                }
                File.SetUnixFileMode(dir, File.GetUnixFileMode(dir) | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            }
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
