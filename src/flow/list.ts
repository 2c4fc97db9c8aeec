// An intrusive doubly linked list: flows carry their own links, so moving a flow to the tail on
// every packet costs a few pointer writes and no allocation.

export interface Linked<T> {
  prev: T | null;
  next: T | null;
}

export class LinkedList<T extends Linked<T>> {
  head: T | null = null;
  tail: T | null = null;
  size = 0;

  push(item: T): void {
    item.prev = this.tail;
    item.next = null;
    if (this.tail) this.tail.next = item; else this.head = item;
    this.tail = item;
    this.size++;
  }

  remove(item: T): void {
    if (item.prev) item.prev.next = item.next; else this.head = item.next;
    if (item.next) item.next.prev = item.prev; else this.tail = item.prev;
    item.prev = item.next = null;
    this.size--;
  }

  moveToTail(item: T): void {
    if (this.tail === item) return;
    this.remove(item);
    this.push(item);
  }
}
