// Public API of `remedy panic-listen`.
export { startPanicListener, normalizeIp, formatRecordLine, DEFAULT_PANIC_PORT, type PanicListener, type PanicListenerOptions } from "./listener.js";
export { PanicGrouper, DEFAULT_LIMITS, type PanicRecord, type GrouperLimits, type GrouperOptions, type Timers } from "./grouper.js";
export { annotateCommand, PANIC_ANNOTATION, MAX_ANNOTATION_CHARS } from "./annotate.js";
export { packetLines, messageOf, TRIGGER, END_MARKER, MAX_PACKET_BYTES, MAX_LINE_CHARS } from "./text.js";
export { inventoryIpMap, type IpMapResult } from "./hosts.js";
