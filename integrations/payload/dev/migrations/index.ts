import * as migration_20261130_125446_initial from './20261130_125446_initial';

export const migrations = [
  {
    up: migration_20261130_125446_initial.up,
    down: migration_20261130_125446_initial.down,
    name: '20261130_125446_initial',
  },
];
