export { VideoField } from './VideoField';
