import type { VideoUploaderStrings } from '../strings.js';

const ja: VideoUploaderStrings = {
  dropLabel: 'ここに動画をドラッグ＆ドロップ',
  dropLabelMultiple: 'ここに動画をドラッグ＆ドロップ',
  or: 'または',
  choose: '動画を選択',
  chooseMultiple: '動画を選択',
  recordCamera: 'カメラで録画',
  recordScreen: '画面を録画',
  captureNative: 'カメラアプリを開く',
  dropHere: 'ドロップしてアップロード',
  maxSize: (size) => `最大 ${size}`,
  maxDuration: (duration) => `最長 ${duration}`,
  preparing: '準備中…',
  progressLabel: (fileName) => `${fileName} のアップロード`,
  uploading: 'アップロード中…',
  timeLeft: (duration) => `残り ${duration}`,
  retrying: (attempt, retries) => `接続に問題があります。再試行中（${attempt}/${retries}）…`,
  paused: '一時停止中',
  pause: '一時停止',
  resume: '再開',
  cancel: 'キャンセル',
  retry: '再試行',
  uploadAnother: '別の動画をアップロード',
  complete: 'アップロード完了',
  openVideo: '動画を見る',
  canceled: 'アップロードをキャンセルしました',
  queued: (count) => `ほかに ${count} 本の動画が待機中`,
  announceStart: (fileName) => `${fileName} をアップロード中`,
  announceProgress: (percent) => `${percent} アップロード済み`,
  announceComplete: (fileName) => `${fileName} のアップロードが完了しました`,
  valueMissing: '動画をアップロードしてください。',
  uploadInProgress: '動画のアップロードが終わるまでお待ちください。',
  errorFileType: (accept) =>
    `このファイルはここでアップロードできる動画ではありません。${accept} の形式のファイルを選んでください。`,
  errorFileTooLarge: (size, max) =>
    `このファイルは ${size} で、上限の ${max} を超えています。もっと小さいファイルを選んでください。`,
  errorFileTooLong: (duration, max) =>
    `この動画は ${duration} で、上限の ${max} を超えています。もっと短い動画を選んでください。`,
  errorFileRefused: '動画サービスがこのファイルを受け付けませんでした。別のファイルを選んでください。',
  errorTokenRequestFailed:
    'アップロードの許可を得られませんでした。もう一度お試しください。問題が続く場合はサイトにお問い合わせください。',
  errorTokenInvalid: '動画サービスがアップロードを拒否しました。ページを再読み込みして、もう一度お試しください。',
  errorTokenExpired: 'アップロードの許可の有効期限が切れました。ページを再読み込みして、もう一度お試しください。',
  errorUnauthorized: '動画サービスがアップロードを拒否しました。ページを再読み込みして、もう一度お試しください。',
  errorNetwork: '接続が切れました。インターネット接続を確認してから、もう一度お試しください。',
  errorServer: '動画サービスで問題が発生しました。しばらくしてからもう一度お試しください。',
  errorRateLimited: '現在アップロードが集中しています。1 分ほど待ってから、もう一度お試しください。',
  errorCanceled: 'アップロードはキャンセルされました。',
  errorProtocol:
    '動画サービスから予期しない応答がありました。もう一度お試しください。問題が続く場合はサイトにお問い合わせください。',
};
export default ja;
