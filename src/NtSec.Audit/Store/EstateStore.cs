using System.Globalization;
using DuckDB.NET.Data;

namespace NtSec.Audit.Store;

/// <summary>
/// The DuckDB file a scan writes and the queries read. The schema is documented in docs/audit.md; its version is
/// the <c>schema</c> key of the <c>scan</c> table.
/// </summary>
public sealed class EstateStore : IDisposable
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int SchemaVersion = 1;

    private static readonly string[] Schema =
    [
        "CREATE TABLE scan (key VARCHAR PRIMARY KEY, value VARCHAR)",
        "CREATE TABLE descriptors (descriptor_id INTEGER, sddl VARCHAR, sd_binary BLOB, security_id UINTEGER, owner VARCHAR, group_sid VARCHAR, control USMALLINT, dacl_state VARCHAR, dacl_protected BOOLEAN, dacl_auto_inherited BOOLEAN, ace_count INTEGER, explicit_ace_count INTEGER, deny_ace_count INTEGER, canonical BOOLEAN, owner_known BOOLEAN)",
        "CREATE TABLE aces (descriptor_id INTEGER, ace_index INTEGER, ace_type VARCHAR, flags UTINYINT, inherited BOOLEAN, inherit_only BOOLEAN, mask UINTEGER, sid VARCHAR)",
        "CREATE TABLE objects (seq BIGINT, path VARCHAR, parent VARCHAR, depth INTEGER, is_directory BOOLEAN, descriptor_id INTEGER, status VARCHAR, error VARCHAR)",
        "CREATE TABLE tokens (token_id INTEGER, token_json VARCHAR)",
        "CREATE TABLE token_sids (token_id INTEGER, sid VARCHAR, kind VARCHAR, deny_only BOOLEAN)",
        "CREATE TABLE principals (principal_id INTEGER, name VARCHAR, sid VARCHAR, token_id INTEGER, source VARCHAR, logon VARCHAR)",
        "CREATE TABLE questions (question_id INTEGER, name VARCHAR, mask UINTEGER)",
        "CREATE TABLE matrix (descriptor_id INTEGER, token_id INTEGER, granted UINTEGER, effective UINTEGER, answers UINTEGER)",
        "CREATE TABLE share_access (token_id INTEGER, granted UINTEGER, answers UINTEGER)",
        "CREATE VIEW access AS SELECT o.path, o.is_directory, o.status, p.name AS principal, p.sid, m.granted, m.effective, m.answers, o.descriptor_id, m.token_id FROM objects o JOIN matrix m ON m.descriptor_id = o.descriptor_id JOIN principals p ON p.token_id = m.token_id",
    ];

    // The tables of a directory scan (docs/audit-ad.md, "The database"), beside the estate tables it also fills.
    private static readonly string[] DirectorySchema =
    [
        "CREATE TABLE ad_objects (seq BIGINT, dn VARCHAR, dn_key VARCHAR, object_class VARCHAR, kind VARCHAR, sid VARCHAR, object_guid VARCHAR, sam VARCHAR, uac UINTEGER, key_id INTEGER)",
        "CREATE TABLE ad_schema (guid VARCHAR, name VARCHAR, kind VARCHAR, property_set VARCHAR)",
        "CREATE TABLE ad_keys (key_id INTEGER, descriptor_id INTEGER, object_class VARCHAR, class_guid VARCHAR, uses_self BOOLEAN)",
        "CREATE TABLE ad_nodes (key_id INTEGER, node VARCHAR, variant_id INTEGER)",
        "CREATE TABLE ad_matrix (variant_id INTEGER, token_id INTEGER, granted UINTEGER)",
        "CREATE TABLE ad_self (seq BIGINT, token_id INTEGER, node VARCHAR, granted UINTEGER)",
        "CREATE TABLE ad_warnings (kind VARCHAR, dn VARCHAR, detail VARCHAR)",
        "CREATE TABLE ad_accounts (seq BIGINT, primary_group_id UINTEGER, group_type INTEGER, security_group BOOLEAN, sid_history VARCHAR)",
        "CREATE TABLE ad_members (group_seq BIGINT, member_seq BIGINT)",
        "CREATE TABLE ad_gplinks (seq BIGINT, gplink VARCHAR)",
        "CREATE TABLE ad_defaults (object_class VARCHAR, sddl VARCHAR)",
    ];

    /// <summary>Adds the tables of a directory scan (LDIF).</summary>
    public void CreateDirectoryTables()
    {
        foreach (var sql in DirectorySchema) Execute(sql);
    }

    /// <summary>Whether the database holds a directory scan.</summary>
    public bool IsDirectory => GetState("format") == "ldif";

    private EstateStore(DuckDBConnection connection, string path)
    {
        Connection = connection;
        Path = path;
    }

    /// <summary>The open connection.</summary>
    public DuckDBConnection Connection { get; }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Creates a new database with the schema; the file must not exist.</summary>
    public static EstateStore Create(string path)
    {
        var store = Open(path, create: true);
        try
        {
            foreach (var sql in Schema) store.Execute(sql);
            store.SetState("schema", SchemaVersion.ToString(CultureInfo.InvariantCulture));
            return store;
        }
        catch
        {
            store.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Opens an existing database written by a scan.</summary>
    /// <exception cref="InvalidDataException">The file is not an estate database of this schema.</exception>
    public static EstateStore Open(string path, bool readOnly = false) => Open(path, create: false, readOnly);

    private static EstateStore Open(string path, bool create, bool readOnly = false)
    {
        if (!create && !File.Exists(path)) throw new FileNotFoundException($"{path}: no such database", path);
        var connection = new DuckDBConnection($"Data Source={path}{(readOnly ? ";ACCESS_MODE=READ_ONLY" : "")}");
        connection.Open();
        var store = new EstateStore(connection, path);
        if (!create)
        {
            string? schema;
            try
            {
                schema = store.GetState("schema");
            }
            catch (DuckDBException)
            {
                schema = null;
            }
            if (schema != SchemaVersion.ToString(CultureInfo.InvariantCulture))
            {
                store.Dispose();
                throw new InvalidDataException($"{path}: not an ntsec audit database of schema {SchemaVersion}");
            }
        }
        return store;
    }

    /// <summary>Runs a statement.</summary>
    public int Execute(string sql, params object?[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>A command with positional parameters (<c>$1</c>, <c>$2</c> ...).</summary>
    public DuckDBCommand Command(string sql, params object?[] parameters)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var p in parameters) command.Parameters.Add(new DuckDBParameter(p ?? DBNull.Value));
        return command;
    }

    /// <summary>One value.</summary>
    public object? Scalar(string sql, params object?[] parameters)
    {
        using var command = Command(sql, parameters);
        var v = command.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    /// <summary>A key of the <c>scan</c> table, or null.</summary>
    public string? GetState(string key) => Scalar("SELECT value FROM scan WHERE key = $1", key) as string;

    /// <summary>Sets a key of the <c>scan</c> table.</summary>
    public void SetState(string key, string value) => Execute("INSERT OR REPLACE INTO scan VALUES ($1, $2)", key, value);

    /// <inheritdoc />
    public void Dispose() => Connection.Dispose();
}
