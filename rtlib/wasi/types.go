package wasi

// Constants and struct layouts of wasi_snapshot_preview1, numbered exactly
// as the witx definitions (typenames.witx) number them.

// Errno is a WASI error number, returned by every function as an i32.
type Errno uint16

// Errno values.
const (
	ErrnoSuccess Errno = iota
	Errno2big
	ErrnoAcces
	ErrnoAddrinuse
	ErrnoAddrnotavail
	ErrnoAfnosupport
	ErrnoAgain
	ErrnoAlready
	ErrnoBadf
	ErrnoBadmsg
	ErrnoBusy
	ErrnoCanceled
	ErrnoChild
	ErrnoConnaborted
	ErrnoConnrefused
	ErrnoConnreset
	ErrnoDeadlk
	ErrnoDestaddrreq
	ErrnoDom
	ErrnoDquot
	ErrnoExist
	ErrnoFault
	ErrnoFbig
	ErrnoHostunreach
	ErrnoIdrm
	ErrnoIlseq
	ErrnoInprogress
	ErrnoIntr
	ErrnoInval
	ErrnoIo
	ErrnoIsconn
	ErrnoIsdir
	ErrnoLoop
	ErrnoMfile
	ErrnoMlink
	ErrnoMsgsize
	ErrnoMultihop
	ErrnoNametoolong
	ErrnoNetdown
	ErrnoNetreset
	ErrnoNetunreach
	ErrnoNfile
	ErrnoNobufs
	ErrnoNodev
	ErrnoNoent
	ErrnoNoexec
	ErrnoNolck
	ErrnoNolink
	ErrnoNomem
	ErrnoNomsg
	ErrnoNoprotoopt
	ErrnoNospc
	ErrnoNosys
	ErrnoNotconn
	ErrnoNotdir
	ErrnoNotempty
	ErrnoNotrecoverable
	ErrnoNotsock
	ErrnoNotsup
	ErrnoNotty
	ErrnoNxio
	ErrnoOverflow
	ErrnoOwnerdead
	ErrnoPerm
	ErrnoPipe
	ErrnoProto
	ErrnoProtonosupport
	ErrnoPrototype
	ErrnoRange
	ErrnoRofs
	ErrnoSpipe
	ErrnoSrch
	ErrnoStale
	ErrnoTimedout
	ErrnoTxtbsy
	ErrnoXdev
	ErrnoNotcapable
)

// Rights are the capability bits attached to every file descriptor.
type Rights uint64

// Rights bits.
const (
	RightFdDatasync Rights = 1 << iota
	RightFdRead
	RightFdSeek
	RightFdFdstatSetFlags
	RightFdSync
	RightFdTell
	RightFdWrite
	RightFdAdvise
	RightFdAllocate
	RightPathCreateDirectory
	RightPathCreateFile
	RightPathLinkSource
	RightPathLinkTarget
	RightPathOpen
	RightFdReaddir
	RightPathReadlink
	RightPathRenameSource
	RightPathRenameTarget
	RightPathFilestatGet
	RightPathFilestatSetSize
	RightPathFilestatSetTimes
	RightFdFilestatGet
	RightFdFilestatSetSize
	RightFdFilestatSetTimes
	RightPathSymlink
	RightPathRemoveDirectory
	RightPathUnlinkFile
	RightPollFdReadwrite
	RightSockShutdown
	RightSockAccept
)

// Rights groups a descriptor of each kind may hold.
const (
	// fileRights are the rights meaningful on a regular file.
	fileRights = RightFdDatasync | RightFdRead | RightFdSeek | RightFdFdstatSetFlags |
		RightFdSync | RightFdTell | RightFdWrite | RightFdAdvise | RightFdAllocate |
		RightFdFilestatGet | RightFdFilestatSetSize | RightFdFilestatSetTimes |
		RightPollFdReadwrite
	// dirRights are the rights meaningful on a directory.
	dirRights = RightFdFdstatSetFlags | RightFdSync | RightFdAdvise |
		RightPathCreateDirectory | RightPathCreateFile | RightPathLinkSource |
		RightPathLinkTarget | RightPathOpen | RightFdReaddir | RightPathReadlink |
		RightPathRenameSource | RightPathRenameTarget | RightPathFilestatGet |
		RightPathFilestatSetSize | RightPathFilestatSetTimes | RightFdFilestatGet |
		RightFdFilestatSetTimes | RightPathSymlink | RightPathRemoveDirectory |
		RightPathUnlinkFile
	// streamRights are the rights of stdio streams.
	streamRights = RightFdRead | RightFdWrite | RightFdFdstatSetFlags |
		RightFdFilestatGet | RightPollFdReadwrite
	// sockRights are the rights of sockets.
	sockRights = RightFdRead | RightFdWrite | RightFdFdstatSetFlags |
		RightFdFilestatGet | RightPollFdReadwrite | RightSockShutdown | RightSockAccept
	// writeModeRights select a writable host open in path_open.
	writeModeRights = RightFdWrite | RightFdDatasync | RightFdAllocate
	// readModeRights select a readable host open in path_open.
	readModeRights = RightFdRead | RightFdReaddir
)

// Filetype values.
const (
	filetypeUnknown         uint8 = 0
	filetypeBlockDevice     uint8 = 1
	filetypeCharacterDevice uint8 = 2
	filetypeDirectory       uint8 = 3
	filetypeRegularFile     uint8 = 4
	filetypeSocketDgram     uint8 = 5
	filetypeSocketStream    uint8 = 6
	filetypeSymbolicLink    uint8 = 7
)

// fdflags bits.
const (
	fdflagAppend   uint16 = 1
	fdflagDsync    uint16 = 2
	fdflagNonblock uint16 = 4
	fdflagRsync    uint16 = 8
	fdflagSync     uint16 = 16
)

// oflags bits.
const (
	oflagCreat     uint16 = 1
	oflagDirectory uint16 = 2
	oflagExcl      uint16 = 4
	oflagTrunc     uint16 = 8
)

// lookupflags bits.
const lookupSymlinkFollow uint32 = 1

// fstflags bits.
const (
	fstAtim    uint16 = 1
	fstAtimNow uint16 = 2
	fstMtim    uint16 = 4
	fstMtimNow uint16 = 8
)

// whence values.
const (
	whenceSet = 0
	whenceCur = 1
	whenceEnd = 2
)

// Clock IDs.
const (
	clockRealtime       = 0
	clockMonotonic      = 1
	clockProcessCPUTime = 2
	clockThreadCPUTime  = 3
)

// Event types and flags of poll_oneoff.
const (
	eventtypeClock   uint8  = 0
	eventtypeFdRead  uint8  = 1
	eventtypeFdWrite uint8  = 2
	subclockAbstime  uint16 = 1
	eventrwHangup    uint16 = 1
)

// Socket flags.
const (
	riflagRecvPeek    uint16 = 1
	riflagRecvWaitall uint16 = 2
	roflagTruncated   uint16 = 1
	sdflagRd          uint8  = 1
	sdflagWr          uint8  = 2
)

// Struct sizes (little-endian, C layout, as the witx defines them).
const (
	sizeIovec        = 8  // buf u32 @0, buf_len u32 @4
	sizeFdstat       = 24 // filetype u8 @0, flags u16 @2, rights_base u64 @8, rights_inheriting u64 @16
	sizeFilestat     = 64 // dev @0, ino @8, filetype u8 @16, nlink @24, size @32, atim @40, mtim @48, ctim @56
	sizeDirent       = 24 // d_next @0, d_ino @8, d_namlen u32 @16, d_type u8 @20; name follows
	sizePrestat      = 8  // tag u8 @0, pr_name_len u32 @4
	sizeSubscription = 48 // userdata @0, tag u8 @8, union @16
	sizeEvent        = 32 // userdata @0, error u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24
)
