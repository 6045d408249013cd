using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KC.Api.FunctionalTests.Deployment;

/// <summary>The repository's deployment files, read the way their tools read them, as far as the tests need.</summary>
internal static partial class DeploymentFiles
{
    /// <summary>The repository root: the nearest folder above the test binaries that holds <c>KC.sln</c>.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(RepositoryRoot, relative);

    /// <summary>
    /// The keys of README's configuration table, as written there (<c>Processing:MaxConcurrency</c>);
    /// a row that names two keys (<c>GpuDelayMinMs</c> / <c>GpuDelayMaxMs</c>) gives both.
    /// </summary>
    public static IReadOnlySet<string> DocumentedSettings()
    {
        var lines = File.ReadAllLines(PathOf("README.md"));
        var start = Array.IndexOf(lines, "## Configuration");
        Assert.That(start, Is.GreaterThanOrEqualTo(0), "README.md has a '## Configuration' section");
        var end = Array.FindIndex(lines, start + 1, line => line.StartsWith("## ", StringComparison.Ordinal));
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines[(start + 1)..(end < 0 ? lines.Length : end)].Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var firstCell = line.Split('|')[1];
            keys.UnionWith(BacktickedText().Matches(firstCell).Select(m => m.Groups[1].Value));
        }

        return keys;
    }

    /// <summary>
    /// The configuration key an environment variable sets (<c>Api__Keys__0</c> is <c>Api:Keys</c>):
    /// <c>__</c> stands for <c>:</c>, and a trailing number is an index into a list setting.
    /// </summary>
    public static string SettingOf(string environmentVariable)
    {
        ArgumentNullException.ThrowIfNull(environmentVariable);
        var segments = environmentVariable.Split("__").ToList();
        while (segments.Count > 1 && segments[^1].All(char.IsAsciiDigit))
        {
            segments.RemoveAt(segments.Count - 1);
        }

        return string.Join(':', segments);
    }

    /// <summary>
    /// Variables of ASP.NET Core and .NET themselves rather than KC's settings, which README's table
    /// does not list: the environment name and the port variable the runtime image sets.
    /// </summary>
    public static IReadOnlySet<string> StandardVariables { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "ASPNETCORE_ENVIRONMENT",
        "DOTNET_ENVIRONMENT",
        "ASPNETCORE_HTTP_PORTS",
        "ASPNETCORE_HTTPS_PORTS",
    };

    /// <summary>Whether <paramref name="environmentVariable"/> sets a KC setting of README's table, the standard <c>Logging</c> section, or is a standard variable.</summary>
    public static bool IsKnown(string environmentVariable, IReadOnlySet<string> documented)
    {
        ArgumentNullException.ThrowIfNull(documented);
        var setting = SettingOf(environmentVariable);
        return StandardVariables.Contains(environmentVariable)
            || documented.Contains(setting)
            || setting.StartsWith("Logging:", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Replaces Compose's variable references as <c>docker compose</c> does with no variable set and
    /// no <c>.env</c> file: <c>${NAME:-default}</c> and <c>${NAME-default}</c> give the default,
    /// <c>${NAME}</c> nothing, <c>$$</c> a dollar sign. Any other form fails the test.
    /// </summary>
    public static string Interpolate(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var result = ComposeVariable().Replace(value, m => m.Value == "$$" ? "\u0000" : m.Groups["default"].Value);
        Assert.That(result, Does.Not.Contain("$"), $"'{value}' uses a form of interpolation the test does not read");
        return result.Replace('\u0000', '$');
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "KC.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds KC.sln.");
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex BacktickedText();

    [GeneratedRegex(@"\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-(?<default>[^}]*))?\}")]
    private static partial Regex ComposeVariable();
}

/// <summary><c>compose.yaml</c> as YAML with merge keys (<c>&lt;&lt;: *anchor</c>) applied, as Compose applies them.</summary>
internal sealed class ComposeFile
{
    private readonly YamlMappingNode _root;

    private ComposeFile(YamlMappingNode root, int documents)
    {
        _root = root;
        Documents = documents;
    }

    public int Documents { get; }

    public IReadOnlyList<string> ServiceNames => [.. Services.Children.Keys.Select(Text)];

    private YamlMappingNode Services => Mapping(_root, "services");

    public static ComposeFile Load(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(reader)));
        return new ComposeFile((YamlMappingNode)stream.Documents[0].RootNode, stream.Documents.Count);
    }

    /// <summary>The top-level <c>volumes</c> names.</summary>
    public IReadOnlyList<string> NamedVolumes =>
        _root.Children.TryGetValue(new YamlScalarNode("volumes"), out var volumes) ? [.. ((YamlMappingNode)volumes).Children.Keys.Select(Text)] : [];

    public YamlMappingNode Service(string name) => Mapping(Services, name);

    /// <summary>A scalar under <paramref name="service"/> by its path (<c>deploy</c>, <c>replicas</c>); null when absent.</summary>
    public string? Value(string service, params string[] path)
    {
        YamlNode node = Service(service);
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            node = next;
        }

        return node is YamlScalarNode scalar ? scalar.Value : throw new InvalidOperationException($"{service}.{string.Join('.', path)} is not a scalar.");
    }

    /// <summary>A sequence of scalars under <paramref name="service"/> by its path; empty when absent.</summary>
    public IReadOnlyList<string> Values(string service, params string[] path)
    {
        YamlNode node = Service(service);
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return [];
            }

            node = next;
        }

        return [.. ((YamlSequenceNode)node).Children.Select(Text)];
    }

    public bool Has(string service, string key) => Service(service).Children.ContainsKey(new YamlScalarNode(key));

    /// <summary>The service's <c>environment</c>, in either of Compose's forms (a mapping, or a list of <c>NAME=value</c>), as written.</summary>
    public IReadOnlyDictionary<string, string> Environment(string service)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Service(service).Children.TryGetValue(new YamlScalarNode("environment"), out var node))
        {
            return environment;
        }

        if (node is YamlMappingNode mapping)
        {
            foreach (var (key, value) in mapping.Children)
            {
                environment.Add(Text(key), Text(value));
            }
        }
        else
        {
            foreach (var entry in ((YamlSequenceNode)node).Children.Select(Text))
            {
                var equals = entry.IndexOf('=', StringComparison.Ordinal);
                environment.Add(equals < 0 ? entry : entry[..equals], equals < 0 ? string.Empty : entry[(equals + 1)..]);
            }
        }

        return environment;
    }

    /// <summary>
    /// The service's <c>depends_on</c> conditions by service (the long form; the short form, a list
    /// of names, has the condition <c>service_started</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> DependsOn(string service)
    {
        if (!Service(service).Children.TryGetValue(new YamlScalarNode("depends_on"), out var node))
        {
            return new Dictionary<string, string>();
        }

        return node is YamlSequenceNode list
            ? list.Children.ToDictionary(Text, _ => "service_started")
            : ((YamlMappingNode)node).Children.ToDictionary(
                entry => Text(entry.Key),
                entry => entry.Value is YamlMappingNode options && options.Children.TryGetValue(new YamlScalarNode("condition"), out var condition)
                    ? Text(condition)
                    : "service_started");
    }

    /// <summary>The service's short-form volumes (<c>source:target[:mode]</c>) as source and target.</summary>
    public IReadOnlyList<(string Source, string Target)> Volumes(string service) =>
        [.. Values(service, "volumes").Select(volume => volume.Split(':')).Select(parts => (parts[0], parts[1]))];

    private static YamlMappingNode Mapping(YamlMappingNode parent, string key) =>
        parent.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlMappingNode mapping
            ? mapping
            : throw new InvalidOperationException($"compose.yaml has no mapping '{key}' where one is expected.");

    private static string Text(YamlNode node) =>
        node is YamlScalarNode { Value: { } value } ? value : throw new InvalidOperationException($"Expected a scalar at {node.Start}, found {node.NodeType}.");
}

/// <summary>
/// The <c>Dockerfile</c>'s instructions, comments dropped and continued lines joined, as far as the
/// tests read them: each stage's base image, and the runtime (last) stage's <c>ENV</c>,
/// <c>USER</c> and <c>HEALTHCHECK</c>.
/// </summary>
internal sealed partial class Dockerfile
{
    private readonly List<(string Instruction, string Arguments)> _instructions;

    private Dockerfile(List<(string Instruction, string Arguments)> instructions)
    {
        _instructions = instructions;
    }

    public static Dockerfile Load(string path)
    {
        var joined = string.Join('\n', File.ReadAllLines(path).Where(line => !line.TrimStart().StartsWith('#')))
            .Replace("\\\n", " ", StringComparison.Ordinal);
        var instructions = joined.Split('\n')
            .Where(line => line.Trim().Length > 0)
            .Select(line => line.Trim().Split(' ', 2))
            .Select(parts => (parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1].Trim() : string.Empty))
            .ToList();
        return new Dockerfile(instructions);
    }

    /// <summary>Each stage's base image, in order.</summary>
    public IReadOnlyList<string> BaseImages => [.. _instructions.Where(i => i.Instruction == "FROM").Select(i => i.Arguments.Split(' ')[0])];

    /// <summary>The runtime stage's <c>USER</c>, the last one given; null for none (root).</summary>
    public string? RuntimeUser => RuntimeStage.LastOrDefault(i => i.Instruction == "USER").Arguments;

    /// <summary>The runtime stage's <c>ENV</c> variables (<c>NAME=value</c> pairs; a value may be double-quoted).</summary>
    public IReadOnlyDictionary<string, string> RuntimeEnvironment
    {
        get
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (_, arguments) in RuntimeStage.Where(i => i.Instruction == "ENV"))
            {
                foreach (Match pair in EnvPair().Matches(arguments))
                {
                    environment[pair.Groups["name"].Value] = pair.Groups["quoted"].Success ? pair.Groups["quoted"].Value : pair.Groups["plain"].Value;
                }
            }

            return environment;
        }
    }

    /// <summary>The runtime stage's <c>HEALTHCHECK ... CMD [...]</c> in exec form, as its arguments; empty for none.</summary>
    public IReadOnlyList<string> HealthCheckCommand
    {
        get
        {
            var check = RuntimeStage.LastOrDefault(i => i.Instruction == "HEALTHCHECK").Arguments;
            var command = check?.IndexOf("CMD [", StringComparison.Ordinal) ?? -1;
            return command < 0 ? [] : JsonSerializer.Deserialize<string[]>(check![(command + 4)..]) ?? [];
        }
    }

    private IEnumerable<(string Instruction, string Arguments)> RuntimeStage =>
        _instructions.Skip(_instructions.FindLastIndex(i => i.Instruction == "FROM"));

    [GeneratedRegex("""(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?:"(?<quoted>[^"]*)"|(?<plain>\S*))""")]
    private static partial Regex EnvPair();
}
