using System.Globalization;
using System.Text;

namespace KC.Client;

/// <summary>A relative path with its query string; members without a value are left out.</summary>
internal sealed class QueryPath(string path)
{
    private readonly StringBuilder _text = new(path);
    private bool _hasQuery;

    public QueryPath Add(string name, string? value)
    {
        if (value is null)
        {
            return this;
        }

        _text.Append(_hasQuery ? '&' : '?').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        _hasQuery = true;
        return this;
    }

    public QueryPath Add(string name, int? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    // RFC 3339 with the instant's own offset; EscapeDataString turns its '+' into %2B.
    public QueryPath Add(string name, DateTimeOffset? value) =>
        Add(name, value?.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));

    public override string ToString() => _text.ToString();
}
