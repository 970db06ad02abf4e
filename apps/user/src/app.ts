import { runContextApp } from '@agora/host';
import { userContext } from '@agora/user';

await runContextApp(userContext);
