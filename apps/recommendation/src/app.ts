import { runContextApp } from '@agora/host';
import { recommendationContext } from '@agora/recommendation';

await runContextApp(recommendationContext);
