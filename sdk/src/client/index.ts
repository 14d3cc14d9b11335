export { CALL_MODES, type CallMode, RESOLUTIONS, type Resolution, type ResolutionName, simulcastEncodings } from "./call-modes.js";
export { listDevices, openCamera, openMicrophone, setSpeaker, setVolume } from "./devices.js";
export { LocalRecorder } from "./local-recorder.js";
export { eModelMos, type QualityReport, type TrackQuality } from "./quality.js";
export { RemoteMember, RemoteTrack } from "./remote.js";
export { type LocalTrack, Room, type RoomEvents, type RoomOptions, signalUrl } from "./room.js";
