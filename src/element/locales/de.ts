import type { VideoUploaderStrings } from '../strings.js';

const de: VideoUploaderStrings = {
  dropLabel: 'Video hierher ziehen und ablegen',
  dropLabelMultiple: 'Videos hierher ziehen und ablegen',
  or: 'oder',
  choose: 'Video auswählen',
  chooseMultiple: 'Videos auswählen',
  recordCamera: 'Mit der Kamera aufnehmen',
  recordScreen: 'Bildschirm aufnehmen',
  captureNative: 'Kamera-App öffnen',
  dropHere: 'Zum Hochladen ablegen',
  maxSize: (size) => `Bis zu ${size}`,
  maxDuration: (duration) => `Höchstens ${duration}`,
  preparing: 'Wird vorbereitet…',
  progressLabel: (fileName) => `Hochladen von ${fileName}`,
  uploading: 'Wird hochgeladen…',
  timeLeft: (duration) => `noch ${duration}`,
  retrying: (attempt, retries) => `Verbindungsproblem, neuer Versuch (${attempt} von ${retries})…`,
  paused: 'Pausiert',
  pause: 'Pausieren',
  resume: 'Fortsetzen',
  cancel: 'Abbrechen',
  retry: 'Erneut versuchen',
  uploadAnother: 'Weiteres Video hochladen',
  complete: 'Hochladen abgeschlossen',
  openVideo: 'Video ansehen',
  canceled: 'Hochladen abgebrochen',
  queued: (count) => (count === 1 ? '1 weiteres Video wartet' : `${count} weitere Videos warten`),
  removeFromQueue: (fileName) => `${fileName} aus der Warteschlange entfernen`,
  removedFromQueue: (fileName) => `${fileName} aus der Warteschlange entfernt`,
  cancelQuestion: 'Nur diese Datei abbrechen oder alle noch ausstehenden Dateien?',
  cancelThisFile: 'Diese Datei abbrechen',
  cancelAll: 'Alle abbrechen',
  keepUploading: 'Weiter hochladen',
  refusedFiles: 'Nicht hochgeladen',
  announceStart: (fileName) => `${fileName} wird hochgeladen`,
  announceProgress: (percent) => `${percent} hochgeladen`,
  announceComplete: (fileName) => `${fileName} hochgeladen`,
  fieldTitle: 'Titel',
  fieldDescription: 'Beschreibung',
  processing: 'Das Video wird verarbeitet…',
  playable: 'Bereit zum Ansehen',
  playableTimeout: 'Wird noch verarbeitet: Das Video ist etwas später bereit.',
  playableFailed:
    'Das Video konnte nicht verarbeitet werden. Versuchen Sie eine andere Datei oder wenden Sie sich an die Website.',
  announcePlayable: (fileName) => `${fileName} ist bereit zum Ansehen`,
  playerLabel: (fileName) => `Video: ${fileName}`,
  valueMissing: 'Bitte laden Sie ein Video hoch.',
  uploadInProgress: 'Bitte warten Sie, bis das Video vollständig hochgeladen ist.',
  errorFileType: () =>
    'Diese Datei ist kein Video, das hier hochgeladen werden kann. Wählen Sie eine andere Videodatei.',
  errorFileTooLarge: (size, max) =>
    `Diese Datei ist ${size} groß, mehr als die erlaubten ${max}. Wählen Sie eine kleinere Datei.`,
  errorFileTooLong: (duration, max) =>
    `Dieses Video dauert ${duration}, länger als die erlaubten ${max}. Wählen Sie ein kürzeres Video.`,
  errorFileRefused: 'Der Videodienst hat diese Datei abgelehnt. Wählen Sie eine andere Datei.',
  errorTokenRequestFailed:
    'Das Hochladen konnte nicht autorisiert werden. Versuchen Sie es erneut; wenn es weiter fehlschlägt, wenden Sie sich an die Website.',
  errorTokenInvalid:
    'Der Videodienst hat das Hochladen abgelehnt. Laden Sie die Seite neu und versuchen Sie es erneut.',
  errorTokenExpired:
    'Die Berechtigung zum Hochladen ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es erneut.',
  errorUnauthorized:
    'Der Videodienst hat das Hochladen abgelehnt. Laden Sie die Seite neu und versuchen Sie es erneut.',
  errorNetwork: 'Die Verbindung wurde unterbrochen. Prüfen Sie Ihre Internetverbindung und versuchen Sie es erneut.',
  errorServer: 'Beim Videodienst ist ein Fehler aufgetreten. Versuchen Sie es gleich noch einmal.',
  errorRateLimited: 'Gerade laufen zu viele Uploads. Warten Sie eine Minute und versuchen Sie es dann erneut.',
  errorCanceled: 'Das Hochladen wurde abgebrochen.',
  errorProtocol:
    'Der Videodienst hat unerwartet geantwortet. Versuchen Sie es erneut; wenn es weiter fehlschlägt, wenden Sie sich an die Website.',
  errorNotVideo: 'Diese Datei enthält kein Video. Wählen Sie eine Videodatei.',
  errorSetup: 'Das Hochladen ist auf dieser Seite nicht richtig eingerichtet. Bitte geben Sie der Website Bescheid.',
  errorTokenRefused: 'Sie dürfen hier nichts hochladen. Melden Sie sich an oder bitten Sie die Website um Zugang.',
  errorTokenUnreachable:
    'Die Website war nicht erreichbar, um das Hochladen zu starten. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  waitingBusy: (duration) => `Die Website ist ausgelastet. Weiter in ${duration}…`,
  offline: 'Warten auf die Verbindung… Das Hochladen geht von selbst weiter.',
  interrupted: (fileName, percent) =>
    `Das Hochladen von ${fileName} wurde bei ${percent} unterbrochen. Wählen Sie dieselbe Datei, um dort weiterzumachen.`,
};
export default de;
