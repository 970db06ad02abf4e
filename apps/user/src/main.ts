import { graphqlFor, UsersResolver } from '@agora/graphql';
import { runContextApp } from '@agora/host';
import { userContext } from '@agora/user';

await runContextApp(userContext, { graphql: graphqlFor([UsersResolver]) });
