using NtSec.Authorization;
using NtSec.Descriptors;
using NtSec.Tokens;

namespace NtSec.Kernel;

/// <summary>
/// A token object: the kernel object that holds a <see cref="Tokens.Token"/> snapshot. Adjusting a token replaces
/// the snapshot, so a check that already read it sees one consistent state.
/// </summary>
public sealed class TokenObject : KernelObject
{
    private Token _token;
    private TokenObject? _linkedToken;

    internal TokenObject(EmulatedSystem system, Token token, SecurityDescriptor securityDescriptor)
        : base(system, ObjectTypes.Token, null, securityDescriptor)
    {
        _token = token;
    }

    /// <summary>The token's current state.</summary>
    public Token Token
    {
        get { lock (System.SyncRoot) return _token; }
    }

    internal Token TokenLocked
    {
        get => _token;
        set => _token = value;
    }

    /// <summary>
    /// The impersonation level a primary token object carries. Windows records the level given to NtDuplicateToken
    /// even when the copy is a primary token, and TokenStatistics reports it (observed: tok-25, a primary copy made at
    /// SecurityImpersonation reports SecurityImpersonation). <see cref="Tokens.Token.ImpersonationLevel"/> only keeps
    /// a level for impersonation tokens, so the kernel keeps this one beside it. Tokens the system creates (boot,
    /// NtCreateToken, process creation) report SecurityAnonymous.
    /// </summary>
    internal SecurityImpersonationLevel PrimaryImpersonationLevel { get; init; }

    /// <summary>
    /// The other half of a UAC split token (the elevated token for a limited one, and the reverse); null for a
    /// token whose elevation type is Default.
    /// </summary>
    public TokenObject? LinkedToken
    {
        get { lock (System.SyncRoot) return _linkedToken; }
    }

    internal TokenObject? LinkedTokenLocked
    {
        get => _linkedToken;
        set
        {
            value?.AddReference();
            _linkedToken?.Release();
            _linkedToken = value;
        }
    }

    private protected override void OnDelete() => LinkedTokenLocked = null;

    /// <summary>Type, user and token ID.</summary>
    public override string ToString() => $"Token {_token.User.Sid} {_token.Type} {_token.TokenId}";
}
