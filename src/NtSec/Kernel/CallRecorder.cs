namespace NtSec.Kernel;

/// <summary>
/// Builds one thread's <see cref="CallDiagnostic"/>s. Each Nt call begins a record, notes its decisions as it makes
/// them and publishes the record with its status when it returns. A Win32-layer function opens a scope: the Nt calls
/// it makes are collected, and when it returns one record for the function is published, whose status and reason
/// are the function's own failure or else the failing Nt call's, and whose decisions are the last of each kind any
/// of them made.
/// </summary>
internal sealed class CallRecorder
{
    private readonly Lock _lock = new();
    private CallDiagnostic? _pending;
    private int _pendingIndex = -1;
    private CallDiagnostic? _last;
    private int _depth;
    private string _scopeName = "";
    private List<CallDiagnostic>? _inner;
    private CallDiagnostic? _scopeOwn;
    private bool _inCall;

    public CallDiagnostic? Last
    {
        get { lock (_lock) return _last; }
    }

    public void Begin(string call)
    {
        lock (_lock)
        {
            _pending = new CallDiagnostic(call);
            _pendingIndex = -1;
            _inCall = true;
        }
    }

    /// <summary>
    /// Adds a decision to the Nt call being made; outside one (a Win32-layer function using the kernel's helpers
    /// itself), to the function's scope. A decision made in neither is nobody's and is dropped.
    /// </summary>
    public void Note(Func<CallDiagnostic, CallDiagnostic> change)
    {
        lock (_lock)
        {
            if (_inCall) _pending = change(_pending!);
            else if (_depth > 0) _scopeOwn = change(_scopeOwn ?? new CallDiagnostic(_scopeName));
        }
    }

    /// <summary>The call returns <paramref name="status"/>: its record is published (or joins the open scope).</summary>
    public NtStatus End(NtStatus status)
    {
        lock (_lock)
        {
            var d = (_pending ?? new CallDiagnostic("?")) with { Status = status };
            _pending = d;
            _inCall = false;
            if (_depth > 0)
            {
                _inner ??= [];
                if (_pendingIndex < 0 || _pendingIndex >= _inner.Count)
                {
                    _pendingIndex = _inner.Count;
                    _inner.Add(d);
                }
                else
                {
                    _inner[_pendingIndex] = d;
                }
            }
            else
            {
                _last = d;
            }
            return status;
        }
    }

    public Scope BeginScope(string function)
    {
        lock (_lock)
        {
            if (_depth++ == 0)
            {
                _scopeName = function;
                _inner = [];
                _scopeOwn = null;
            }
        }
        return new Scope(this);
    }

    /// <summary>The Win32-layer function itself decided (it failed without an Nt call, or it set a last error).</summary>
    public void NoteFunction(Func<CallDiagnostic, CallDiagnostic> change)
    {
        lock (_lock)
        {
            if (_depth > 0) _scopeOwn = change(_scopeOwn ?? new CallDiagnostic(_scopeName));
            else _last = change(_last ?? new CallDiagnostic("?"));
        }
    }

    private void EndScope()
    {
        lock (_lock)
        {
            if (_depth == 0 || --_depth > 0) return;
            var inner = _inner ?? [];
            var failing = inner.LastOrDefault(d => !d.Status.IsSuccess);
            var own = _scopeOwn;
            var d = new CallDiagnostic(_scopeName)
            {
                Status = own?.Status ?? failing?.Status ?? NtStatus.Success,
                Win32Error = own?.Win32Error ?? 0,
                Reason = own is { Reason: not CallReason.None } ? own.Reason : (failing ?? inner.LastOrDefault(i => i.Reason != CallReason.None))?.Reason ?? CallReason.None,
                AccessCheck = own?.AccessCheck ?? (failing?.AccessCheck ?? inner.LastOrDefault(i => i.AccessCheck is not null)?.AccessCheck),
                Handle = own?.Handle ?? (failing?.Handle ?? inner.LastOrDefault(i => i.Handle is not null)?.Handle),
                Impersonation = own?.Impersonation ?? inner.LastOrDefault(i => i.Impersonation is not null)?.Impersonation,
                Desktop = own?.Desktop ?? inner.LastOrDefault(i => i.Desktop is not null)?.Desktop,
                Privilege = own?.Privilege ?? (failing?.Privilege ?? inner.LastOrDefault(i => i.Privilege is not null)?.Privilege),
                NotAssigned = own?.NotAssigned is { Count: > 0 } n ? n : inner.LastOrDefault(i => i.NotAssigned.Count > 0)?.NotAssigned ?? [],
                CreatedProcess = own?.CreatedProcess ?? inner.LastOrDefault(i => i.CreatedProcess is not null)?.CreatedProcess,
                Inner = [.. inner],
            };
            _last = d;
            _inner = null;
            _scopeOwn = null;
        }
    }

    /// <summary>A Win32-layer function's scope; disposing it publishes the function's record.</summary>
    public readonly struct Scope(CallRecorder recorder) : IDisposable
    {
        /// <summary>Publishes the function's record.</summary>
        public void Dispose() => recorder.EndScope();
    }
}
