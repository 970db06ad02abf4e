import { runContextApp } from '@agora/host';
import { inventoryContext } from '@agora/inventory';

await runContextApp(inventoryContext);
