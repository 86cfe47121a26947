import type { VideoUploaderStrings } from '../strings.js';

const es: VideoUploaderStrings = {
  dropLabel: 'Arrastra y suelta un vídeo aquí',
  dropLabelMultiple: 'Arrastra y suelta vídeos aquí',
  or: 'o',
  choose: 'Elegir un vídeo',
  chooseMultiple: 'Elegir vídeos',
  dropHere: 'Suelta para subir',
  maxSize: (size) => `Hasta ${size}`,
  maxDuration: (duration) => `${duration} como máximo`,
  preparing: 'Preparando…',
  progressLabel: (fileName) => `Subida de ${fileName}`,
  uploading: 'Subiendo…',
  timeLeft: (duration) => `quedan ${duration}`,
  retrying: (attempt, retries) => `Problema de conexión, reintentando (${attempt} de ${retries})…`,
  paused: 'En pausa',
  pause: 'Pausar',
  resume: 'Reanudar',
  cancel: 'Cancelar',
  retry: 'Reintentar',
  uploadAnother: 'Subir otro vídeo',
  complete: 'Subida completada',
  openVideo: 'Ver el vídeo',
  canceled: 'Subida cancelada',
  queued: (count) => (count === 1 ? '1 vídeo más en espera' : `${count} vídeos más en espera`),
  announceStart: (fileName) => `Subiendo ${fileName}`,
  announceProgress: (percent) => `${percent} subido`,
  announceComplete: (fileName) => `${fileName} subido`,
  valueMissing: 'Sube un vídeo.',
  uploadInProgress: 'Espera a que el vídeo termine de subirse.',
  errorFileType: () => 'Este archivo no es un vídeo que se pueda subir aquí. Elige otro archivo de vídeo.',
  errorFileTooLarge: (size, max) =>
    `Este archivo ocupa ${size}, más de los ${max} permitidos. Elige un archivo más pequeño.`,
  errorFileTooLong: (duration, max) =>
    `Este vídeo dura ${duration}, más de los ${max} permitidos. Elige un vídeo más corto.`,
  errorFileRefused: 'El servicio de vídeo rechazó este archivo. Elige otro archivo.',
  errorTokenRequestFailed:
    'No se pudo autorizar la subida. Inténtalo de nuevo; si sigue fallando, contacta con el sitio.',
  errorTokenInvalid: 'El servicio de vídeo rechazó la subida. Recarga la página e inténtalo de nuevo.',
  errorTokenExpired: 'El permiso de subida ha caducado. Recarga la página e inténtalo de nuevo.',
  errorUnauthorized: 'El servicio de vídeo rechazó la subida. Recarga la página e inténtalo de nuevo.',
  errorNetwork: 'Se perdió la conexión. Comprueba tu conexión a internet e inténtalo de nuevo.',
  errorServer: 'El servicio de vídeo tuvo un problema. Inténtalo de nuevo en un momento.',
  errorRateLimited: 'Hay demasiadas subidas ahora mismo. Espera un minuto e inténtalo de nuevo.',
  errorCanceled: 'La subida se canceló.',
  errorProtocol:
    'El servicio de vídeo dio una respuesta inesperada. Inténtalo de nuevo; si sigue fallando, contacta con el sitio.',
  errorNotVideo: 'Este archivo no contiene un vídeo. Elige un archivo de vídeo.',
  errorSetup: 'La subida de vídeos no está bien configurada en esta página. Avisa al sitio, por favor.',
  errorTokenRefused: 'No tienes permiso para subir vídeos aquí. Inicia sesión o pide acceso al sitio.',
  errorTokenUnreachable:
    'No se pudo contactar con el sitio para empezar la subida. Comprueba tu conexión y vuelve a intentarlo.',
  waitingBusy: (duration) => `El sitio está ocupado. Se reanuda en ${duration}…`,
  offline: 'Esperando la conexión… La subida continuará sola.',
  interrupted: (fileName, percent) =>
    `La subida de ${fileName} se interrumpió al ${percent}. Elige el mismo archivo para continuar donde se quedó.`,
};
export default es;
