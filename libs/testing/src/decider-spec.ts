import { expect } from '@jest/globals';
import { fold, type Decider, type Event } from '@agora/event-sourcing';

/**
 * Given/when/then for a decider: the history, the command, and the events it must decide
 * (or the error it must throw).
 *
 *   spec.given(orderPlaced(o)).when(cancelOrder(o)).then(orderCancelled(o));
 */
export function deciderSpec<Command, E extends Event, State>(decider: Decider<Command, E, State>) {
  return {
    given: (...history: E[]) => ({
      when: (command: Command) => {
        const decide = () => decider.decide(command, fold(decider, history));
        return {
          then: (...expected: E[]) => expect(decide()).toEqual(expected),
          thenNothing: () => expect(decide()).toEqual([]),
          thenThrows: (error: (new (...args: never[]) => Error) | RegExp | string) => expect(decide).toThrow(error),
        };
      },
    }),
  };
}
