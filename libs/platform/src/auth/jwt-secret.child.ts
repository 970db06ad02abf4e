import { jwtSecret } from './jwt-secret.js';

/**
 * A process that starts as a host does, for the test of apps started together: told a
 * file over IPC, it takes the signing secret from it (generating it when missing) and
 * answers with the secret or the error.
 */
process.on('message', (file: string) => {
  jwtSecret(undefined, file).then(
    (secret) => process.send!({ secret }),
    (error: Error) => process.send!({ error: error.message }),
  );
});
process.send!('ready');
