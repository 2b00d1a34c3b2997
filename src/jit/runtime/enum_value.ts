/**
 * The runtime value of a TorchScript Enum member (c10's ivalue::EnumHolder): the Enum class's
 * qualified name, the member's name and its value (int, float or str). Members are compared by
 * class and name, as EnumHolder's `==` does (two holders of one member are equal even when
 * they are different objects: one unpickled from data.pkl, one made by a constant node).
 */
export class ScriptEnumValue {
  constructor(readonly qualifiedName: string, readonly name: string, readonly value: unknown) {}

  /** `Color.RED`, as Python's `str()` of the member prints it. */
  toString(): string {
    return `${this.qualifiedName.slice(this.qualifiedName.lastIndexOf(".") + 1)}.${this.name}`;
  }

  equals(other: ScriptEnumValue): boolean {
    return this.qualifiedName === other.qualifiedName && this.name === other.name;
  }
}
