/**
 * Class-level printing: code files of PyTorch-written archives (each case's model.pt, and the
 * seed article's section 6) printed from the method graphs of graph.txt and a description of
 * each class. The descriptions (attributes, flags, constants) are what a ScriptModule's class
 * type holds; graph text does not carry them, so they are written out here.
 */
import { casesDir, qualifyFunction, readCase, sections, shared, unmangle } from "./support.js";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Types, classType, optionalType, parseGraph, type ClassType, type Graph, type JitType } from "../../../src/jit/ir/index.js";
import {
  ConstantTable, printCodeFile, type ClassAttribute, type ScriptClassDescription, type ClassConstant,
} from "../../../src/jit/printer/index.js";
import { Tensor } from "../../../src/tensor/tensor.js";
import { readArchiveText } from "./zip_entries.js";

function caseGraph(caseName: string, title: string): Graph {
  const text = sections(readCase(caseName, "graph.txt")).get(title);
  if (text === undefined) throw new Error(`${caseName} has no graph ${title}`);
  return parseGraph(text);
}

const seedMd = readFileSync(new URL("reference/pytorch-1.13-seed-outputs.md", shared), "utf8");

/** The fenced block under `## <id>. ...` of the seed outputs. */
function seedBlock(id: string): string {
  const heading = seedMd.split("\n").find((l) => l.startsWith(`## ${id}. `));
  if (heading === undefined) throw new Error(`seed outputs have no section ${id}`);
  return sectionAfter(heading);
}

const selfClass = (g: Graph): string => (g.inputs[0]!.type as ClassType).name;
const attr = (name: string, type: JitType, flags: Partial<ClassAttribute> = {}): ClassAttribute => ({ name, type, ...flags });
const param = (name: string): ClassAttribute => attr(name, Types.tensor, { isParameter: true });
/** `training` and the hook flag every nn.Module has (Optional[bool] unless the class annotates its own attributes). */
const moduleBase = (hookFlag: JitType = optionalType(Types.bool)): ClassAttribute[] => [
  attr("training", Types.bool), attr("_is_full_backward_hook", hookFlag),
];

function moduleClass(
  forward: Graph, attributes: ClassAttribute[], constants: ClassConstant[] = [],
): ScriptClassDescription {
  return { kind: "module", qualifiedName: selfClass(forward), attributes, constants, methods: [{ name: "forward", graph: forward }] };
}

/** A traced or scripted nn.Linear: weight and bias parameters first. */
function linearClass(forward: Graph): ScriptClassDescription {
  return moduleClass(forward, [param("weight"), param("bias"), ...moduleBase()]);
}

/** The submodule attribute `name` of the top graph, typed as the graph's GetAttr says. */
function submodule(g: Graph, name: string): ClassAttribute {
  for (const n of g.allNodes()) {
    if (n.kind === "prim::GetAttr" && n.s("name") === name) return attr(name, n.output().type);
  }
  throw new Error(`no GetAttr ${name}`);
}

/** code/ path of a class: `__torch__.a.B` lives in `code/__torch__/a.py`. */
function codePath(qualifiedName: string): string {
  return `code/${qualifiedName.slice(0, qualifiedName.lastIndexOf(".")).replace(/\./g, "/")}.py`;
}

function archiveFile(caseName: string, qualifiedName: string): string {
  const text = readArchiveText(new URL(`${caseName}/model.pt`, casesDir)).get(codePath(qualifiedName));
  if (text === undefined) throw new Error(`${caseName}/model.pt has no ${codePath(qualifiedName)}`);
  return text;
}

function expectFile(caseName: string, classes: ScriptClassDescription[], constants = new ConstantTable()): void {
  const printed = printCodeFile(classes, { constants, functionName: qualifyFunction });
  expect(unmangle(printed)).toBe(unmangle(archiveFile(caseName, classes[0]!.qualifiedName)));
}

describe("archive code/ files from graph.txt", () => {
  it("seed_mycell_v1_traced: MyCell_v1 and its Linear", () => {
    const top = caseGraph("seed_mycell_v1_traced", "<top>.forward");
    expectFile("seed_mycell_v1_traced", [moduleClass(top, [...moduleBase(), submodule(top, "linear")])]);
    expectFile("seed_mycell_v1_traced", [linearClass(caseGraph("seed_mycell_v1_traced", "linear.forward"))]);
  });

  it("control_flow_scripted: the long-line rule counts the archive's deeper indentation", () => {
    const top = caseGraph("control_flow_scripted", "<top>.forward");
    expectFile("control_flow_scripted", [moduleClass(top, moduleBase())]);
  });

  it("types_scalars_optional_scripted: a default argument", () => {
    const top = caseGraph("types_scalars_optional_scripted", "<top>.forward");
    const cls = moduleClass(top, moduleBase());
    const args = [undefined, undefined, undefined, undefined, undefined, undefined, { default: { value: null } }];
    expectFile("types_scalars_optional_scripted", [{ ...cls, methods: [{ name: "forward", graph: top, args }] }]);
  });

  it("nn_sequential_relu_traced: __annotations__ for attributes that are not identifiers", () => {
    const c = "nn_sequential_relu_traced";
    const top = caseGraph(c, "<top>.forward");
    expectFile(c, [moduleClass(top, [...moduleBase(), submodule(top, "0"), submodule(top, "1"), submodule(top, "2")])]);
    expectFile(c, [moduleClass(caseGraph(c, "1.forward"), moduleBase())]);
    expectFile(c, [linearClass(caseGraph(c, "2.forward"))]);
  });

  it("tensor_constants_traced: tensors go to the constant table", () => {
    const c = "tensor_constants_traced";
    const top = caseGraph(c, "<top>.forward");
    const constants = new ConstantTable();
    expectFile(c, [moduleClass(top, [...moduleBase(), submodule(top, "lin")])], constants);
    const values = constants.entries.map((t) => (t instanceof Tensor ? [t.dtype.name, Array.from(t.contiguousData())] : t));
    expect(values).toEqual([["float32", [1, 2, 3, 4]], ["int64", [3, 0]]]);
  });

  it("frozen_cnn: parameters folded into CONSTANTS.c0 ... c5, no attributes", () => {
    const top = caseGraph("frozen_cnn", "<top>.forward");
    const constants = new ConstantTable();
    expectFile("frozen_cnn", [moduleClass(top, [])], constants);
    expect(constants.entries.length).toBe(6);
  });

  it("nested_submodules_scripted: one file, temporaries numbered across its classes", () => {
    const c = "nested_submodules_scripted";
    const top = caseGraph(c, "<top>.forward");
    const block = caseGraph(c, "blocks.0.forward");
    const leaf = caseGraph(c, "blocks.0.first.forward");
    expectFile(c, [
      moduleClass(top, [...moduleBase(), submodule(top, "blocks"), submodule(top, "head")]),
      moduleClass(block, [...moduleBase(), attr("first", classType(selfClass(leaf))), submodule(block, "layers"), submodule(block, "acts")],
        [{ name: "depth", type: Types.int, value: 2 }]),
      moduleClass(leaf, [param("gain"), ...moduleBase(), submodule(leaf, "lin")]),
    ]);
  });
});

describe("seed article archives (section 6) from the seed graphs", () => {
  const seed = (id: string): Graph => parseGraph(seedBlock(id));
  it("traced_cell: archive/code/__torch__.py", () => {
    const top = seed("1f");
    expect(unmangle(printCodeFile([moduleClass(top, [...moduleBase(), submodule(top, "linear")])]))).toBe(
      unmangle(sectionAfter("## 6. traced_cell: archive/code/__torch__.py")),
    );
  });

  it("scripted_cell: MyCell_v2 splits differently at the archive's indentation", () => {
    const top = seed("3f");
    const cls = moduleClass(top, [...moduleBase(), submodule(top, "dg"), submodule(top, "linear")]);
    expect(unmangle(printCodeFile([cls]))).toBe(unmangle(sectionAfter("## 6. scripted_cell: archive/code/__torch__/___torch_mangle_14.py")));
    expect(unmangle(printCodeFile([moduleClass(seed("3b"), moduleBase())]))).toBe(
      unmangle(sectionAfter("## 6. scripted_cell: archive/code/__torch__/___torch_mangle_12.py")),
    );
  });

  it("rnn_loop: archive/code/__torch__.py", () => {
    const top = seed("4e");
    expect(unmangle(printCodeFile([moduleClass(top, [...moduleBase(), submodule(top, "cell")])]))).toBe(
      unmangle(sectionAfter("## 6. rnn_loop: archive/code/__torch__.py")),
    );
  });
});

/** The fenced block right after a heading line of the seed outputs. */
function sectionAfter(heading: string): string {
  const at = seedMd.indexOf(`${heading}\n`);
  if (at < 0) throw new Error(`no heading ${heading}`);
  const m = /```\w*\n([\s\S]*?)```/.exec(seedMd.slice(at));
  return m![1]!;
}
