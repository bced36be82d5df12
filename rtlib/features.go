package rtlib

import "golang.org/x/sys/cpu"

// hostFeatures reports, per abi.KnownFeatures name, whether this machine
// has the feature.
var hostFeatures = map[string]bool{
	// x86-64
	"sse3": cpu.X86.HasSSE3, "ssse3": cpu.X86.HasSSSE3, "sse4.1": cpu.X86.HasSSE41,
	"sse4.2": cpu.X86.HasSSE42, "popcnt": cpu.X86.HasPOPCNT, "avx": cpu.X86.HasAVX,
	"avx2": cpu.X86.HasAVX2, "bmi1": cpu.X86.HasBMI1, "bmi2": cpu.X86.HasBMI2,
	"fma": cpu.X86.HasFMA,
	// AArch64
	"lse": cpu.ARM64.HasATOMICS, "crc": cpu.ARM64.HasCRC32, "aes": cpu.ARM64.HasAES,
	"sha2": cpu.ARM64.HasSHA2, "fp16": cpu.ARM64.HasFPHP, "rcpc": cpu.ARM64.HasLRCPC,
	"dotprod": cpu.ARM64.HasASIMDDP,
}

// missingFeatures returns the required features this machine lacks. The
// metadata decoder has already rejected names not in abi.KnownFeatures
// for the object's architecture, which loadObject checked is the host's.
func missingFeatures(required []string) []string {
	var missing []string
	for _, f := range required {
		if !hostFeatures[f] {
			missing = append(missing, f)
		}
	}
	return missing
}
