import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The inbox: every message already applied, table `handled_messages` in schema `recommendation_read`. */
@Entity({ name: 'handled_messages' })
export class HandledMessageRow {
  @PrimaryColumn('uuid', { name: 'message_id' })
  messageId!: string;

  @Column('timestamptz', { name: 'handled_at' })
  handledAt!: Date;
}
