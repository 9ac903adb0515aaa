// The descriptor input forms and their decoding live in the library (NtSec.Import.DescriptorText), shared with the
// CheckRequest pipeline; the CLI keeps its historical name for the format.
global using NtSec.Import;
global using InputFormat = NtSec.Import.DescriptorFormat;
