/**
 * The texts of the recorder view, in the five built-in languages. They load with the recorder (only pages
 * where a visitor records download them) and can be overridden through the element's `strings` property
 * like any other entry.
 */
export interface RecorderStrings {
  startRecording: string;
  stopRecording: string;
  cameraLabel: string;
  microphoneLabel: string;
  noMicrophone: string;
  previewLabel: string;
  /** The elapsed time while recording, e.g. "Recording 0:42". */
  recordingTime: (elapsed: string) => string;
  /** Upload behind the recording, e.g. "1.2 MB of 1.5 MB sent". */
  sentOf: (sent: string, recorded: string) => string;
  finishing: string;
  playbackLabel: string;
  permissionDenied: string;
  screenDenied: string;
  noCamera: string;
  deviceBusy: string;
  startFailed: string;
  /** Before the time limit, e.g. "Recording stops in 10 s". */
  stopsIn: (seconds: number) => string;
  limitReached: string;
  uploadKept: string;
  saveRecording: string;
  recordAgain: string;
  announceRecording: string;
  announceStopped: (duration: string) => string;
}

export type RecorderLocale = 'en' | 'fr' | 'de' | 'es' | 'ja';

export const recorderStrings: Record<RecorderLocale, RecorderStrings> = {
  en: {
    startRecording: 'Start recording',
    stopRecording: 'Stop recording',
    cameraLabel: 'Camera',
    microphoneLabel: 'Microphone',
    noMicrophone: 'No microphone',
    previewLabel: 'What is being recorded',
    recordingTime: (elapsed) => `Recording ${elapsed}`,
    sentOf: (sent, recorded) => `${sent} of ${recorded} sent`,
    finishing: 'Sending the end of the recording…',
    playbackLabel: 'Your recording',
    permissionDenied: 'Camera or microphone access was blocked. Allow it in the browser’s address bar, then try again.',
    screenDenied: 'Screen sharing was cancelled or blocked.',
    noCamera: 'No camera was found. Connect one, or choose a file instead.',
    deviceBusy: 'The camera is used by another application or blocked by the system.',
    startFailed: 'The camera could not be started. Try again.',
    stopsIn: (seconds) => `Recording stops in ${seconds} s`,
    limitReached: 'The recording reached the time limit and was stopped.',
    uploadKept: 'Your recording is kept. Try again, or save it to your device.',
    saveRecording: 'Save the recording',
    recordAgain: 'Record again',
    announceRecording: 'Recording started',
    announceStopped: (duration) => `Recording stopped after ${duration}`,
  },
  fr: {
    startRecording: 'Commencer l’enregistrement',
    stopRecording: 'Arrêter l’enregistrement',
    cameraLabel: 'Caméra',
    microphoneLabel: 'Micro',
    noMicrophone: 'Sans micro',
    previewLabel: 'Ce qui est enregistré',
    recordingTime: (elapsed) => `Enregistrement ${elapsed}`,
    sentOf: (sent, recorded) => `${sent} envoyés sur ${recorded}`,
    finishing: 'Envoi de la fin de l’enregistrement…',
    playbackLabel: 'Votre enregistrement',
    permissionDenied:
      'L’accès à la caméra ou au micro a été bloqué. Autorisez-le dans la barre d’adresse du navigateur, puis réessayez.',
    screenDenied: 'Le partage d’écran a été annulé ou bloqué.',
    noCamera: 'Aucune caméra n’a été trouvée. Branchez-en une, ou choisissez plutôt un fichier.',
    deviceBusy: 'La caméra est utilisée par une autre application ou bloquée par le système.',
    startFailed: 'La caméra n’a pas pu démarrer. Réessayez.',
    stopsIn: (seconds) => `L’enregistrement s’arrête dans ${seconds} s`,
    limitReached: 'L’enregistrement a atteint la durée maximale et a été arrêté.',
    uploadKept: 'Votre enregistrement est conservé. Réessayez, ou enregistrez-le sur votre appareil.',
    saveRecording: 'Enregistrer le fichier',
    recordAgain: 'Recommencer',
    announceRecording: 'Enregistrement commencé',
    announceStopped: (duration) => `Enregistrement arrêté après ${duration}`,
  },
  de: {
    startRecording: 'Aufnahme starten',
    stopRecording: 'Aufnahme beenden',
    cameraLabel: 'Kamera',
    microphoneLabel: 'Mikrofon',
    noMicrophone: 'Kein Mikrofon',
    previewLabel: 'Was aufgenommen wird',
    recordingTime: (elapsed) => `Aufnahme ${elapsed}`,
    sentOf: (sent, recorded) => `${sent} von ${recorded} gesendet`,
    finishing: 'Das Ende der Aufnahme wird gesendet…',
    playbackLabel: 'Ihre Aufnahme',
    permissionDenied:
      'Der Zugriff auf Kamera oder Mikrofon wurde blockiert. Erlauben Sie ihn in der Adressleiste des Browsers und versuchen Sie es erneut.',
    screenDenied: 'Die Bildschirmfreigabe wurde abgebrochen oder blockiert.',
    noCamera: 'Es wurde keine Kamera gefunden. Schließen Sie eine an oder wählen Sie stattdessen eine Datei.',
    deviceBusy: 'Die Kamera wird von einer anderen Anwendung verwendet oder vom System blockiert.',
    startFailed: 'Die Kamera konnte nicht gestartet werden. Versuchen Sie es erneut.',
    stopsIn: (seconds) => `Die Aufnahme endet in ${seconds} s`,
    limitReached: 'Die Aufnahme hat die Höchstdauer erreicht und wurde beendet.',
    uploadKept: 'Ihre Aufnahme bleibt erhalten. Versuchen Sie es erneut oder speichern Sie sie auf Ihrem Gerät.',
    saveRecording: 'Aufnahme speichern',
    recordAgain: 'Neu aufnehmen',
    announceRecording: 'Aufnahme gestartet',
    announceStopped: (duration) => `Aufnahme nach ${duration} beendet`,
  },
  es: {
    startRecording: 'Empezar a grabar',
    stopRecording: 'Detener la grabación',
    cameraLabel: 'Cámara',
    microphoneLabel: 'Micrófono',
    noMicrophone: 'Sin micrófono',
    previewLabel: 'Lo que se está grabando',
    recordingTime: (elapsed) => `Grabando ${elapsed}`,
    sentOf: (sent, recorded) => `${sent} de ${recorded} enviados`,
    finishing: 'Enviando el final de la grabación…',
    playbackLabel: 'Tu grabación',
    permissionDenied:
      'Se bloqueó el acceso a la cámara o al micrófono. Permítelo en la barra de direcciones del navegador y vuelve a intentarlo.',
    screenDenied: 'Se canceló o bloqueó el uso compartido de la pantalla.',
    noCamera: 'No se encontró ninguna cámara. Conecta una o elige un archivo.',
    deviceBusy: 'Otra aplicación está usando la cámara o el sistema la bloquea.',
    startFailed: 'No se pudo iniciar la cámara. Vuelve a intentarlo.',
    stopsIn: (seconds) => `La grabación se detiene en ${seconds} s`,
    limitReached: 'La grabación alcanzó el límite de tiempo y se detuvo.',
    uploadKept: 'Tu grabación se conserva. Vuelve a intentarlo o guárdala en tu dispositivo.',
    saveRecording: 'Guardar la grabación',
    recordAgain: 'Grabar de nuevo',
    announceRecording: 'Grabación iniciada',
    announceStopped: (duration) => `Grabación detenida tras ${duration}`,
  },
  ja: {
    startRecording: '録画を開始',
    stopRecording: '録画を停止',
    cameraLabel: 'カメラ',
    microphoneLabel: 'マイク',
    noMicrophone: 'マイクなし',
    previewLabel: '録画中の映像',
    recordingTime: (elapsed) => `録画中 ${elapsed}`,
    sentOf: (sent, recorded) => `${recorded} 中 ${sent} 送信済み`,
    finishing: '録画の最後の部分を送信しています…',
    playbackLabel: '録画した動画',
    permissionDenied:
      'カメラまたはマイクへのアクセスがブロックされました。ブラウザのアドレスバーで許可してから、もう一度お試しください。',
    screenDenied: '画面共有がキャンセルまたはブロックされました。',
    noCamera: 'カメラが見つかりません。カメラを接続するか、ファイルを選択してください。',
    deviceBusy: 'カメラが他のアプリで使用中か、システムによってブロックされています。',
    startFailed: 'カメラを起動できませんでした。もう一度お試しください。',
    stopsIn: (seconds) => `あと ${seconds} 秒で録画が停止します`,
    limitReached: '録画が上限時間に達したため停止しました。',
    uploadKept: '録画は保持されています。もう一度試すか、端末に保存してください。',
    saveRecording: '録画を保存',
    recordAgain: 'もう一度録画',
    announceRecording: '録画を開始しました',
    announceStopped: (duration) => `${duration} で録画を停止しました`,
  },
};

/** The recorder's texts for `locale` (primary subtag), English as fallback, with the element's overrides on top. */
export function recorderStringsFor(locale: string, overrides: object): RecorderStrings {
  const primary = locale.toLowerCase().split('-')[0] as RecorderLocale;
  const base = recorderStrings[primary] ?? recorderStrings.en;
  const picked: Partial<RecorderStrings> = {};
  for (const key of Object.keys(base) as Array<keyof RecorderStrings>) {
    if (key in overrides) (picked as Record<string, unknown>)[key] = (overrides as Record<string, unknown>)[key];
  }
  return { ...base, ...picked };
}
