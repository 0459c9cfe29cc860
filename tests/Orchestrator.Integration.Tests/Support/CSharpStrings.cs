using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Orchestrator.Testing;

namespace Orchestrator.Integration.Tests.Support;

/// <summary>
/// The strings of a C# file as the program holds them, read with Roslyn: plain, verbatim and raw
/// literals (escapes decoded, a raw string's indentation removed), interpolated strings, and
/// concatenations (<c>"a " + x + " b"</c>) as one text. Comments, XML doc comments included, are
/// not strings and are not read.
/// <para>
/// What the code fills in at run time (an interpolation hole, a non-string operand of a +) becomes
/// a placeholder <c>{Name}</c> (the expression's last name: <c>{h.Agent}</c> is <c>{Agent}</c>), which
/// <see cref="CommandText.Args"/> turns into a plausible value, when it starts a word (after a space,
/// a line break, an opening quote, backtick or parenthesis, or at the start). A hole glued to what
/// comes before it (<c>orc learn list{scope}</c>, <c>"TEXT"{scope}</c>, <c>{Agent}{suffix}</c>) is a
/// suffix the code composes, such as " --rig app" or nothing: it cannot be known without running the
/// code, so it is dropped and the command is checked without it.
/// </para>
/// </summary>
public static class CSharpStrings
{
    /// <summary>The texts of every string of the file, each with the lines (0-based) it spans.</summary>
    public static IEnumerable<(int FirstLine, int LastLine, string Text)> In(string path)
    {
        var root = CSharpSyntaxTree.ParseText(File.ReadAllText(path), path: path).GetRoot();
        var seen = new HashSet<SyntaxNode>();
        foreach (var node in root.DescendantNodes())
        {
            if (!IsString(node)) continue;
            var top = node;
            while (top.Parent is BinaryExpressionSyntax add && add.IsKind(SyntaxKind.AddExpression)) top = add;
            if (!seen.Add(top)) continue;
            var text = new StringBuilder();
            Render((ExpressionSyntax)top, text);
            var span = top.GetLocation().GetLineSpan();
            yield return (span.StartLinePosition.Line, span.EndLinePosition.Line, text.ToString());
        }
    }

    /// <summary>The <c>orc …</c> commands in the file's strings, each with the source line it is on.</summary>
    public static List<FoundCommand> Commands(string path)
    {
        var source = File.ReadAllLines(path);
        var where = CommandText.Relative(path);
        var list = new List<FoundCommand>();
        foreach (var (first, last, text) in In(path))
        {
            var (line, column) = (first, 0);
            foreach (var (_, command) in CommandText.InText(text))
            {
                // The line: where "orc VERB" is written (as source text), after the previous command.
                var key = "orc " + string.Concat(command.Split(' ')[1].TakeWhile(c => char.IsAsciiLetterLower(c) || c == '-'));
                for (var l = line; l <= last; l++)
                {
                    var at = source[l].IndexOf(key, l == line ? column : 0, StringComparison.Ordinal);
                    if (at < 0) continue;
                    (line, column) = (l, at + key.Length);
                    break;
                }
                list.Add(new FoundCommand($"{where}:{line + 1}", command));
            }
        }
        return list;
    }

    private static bool IsString(SyntaxNode node) =>
        node.IsKind(SyntaxKind.StringLiteralExpression) || node is InterpolatedStringExpressionSyntax;

    private static void Render(ExpressionSyntax e, StringBuilder text)
    {
        switch (e)
        {
            case BinaryExpressionSyntax add when add.IsKind(SyntaxKind.AddExpression):
                Render(add.Left, text);
                Render(add.Right, text);
                break;
            case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.StringLiteralExpression):
                text.Append(literal.Token.ValueText);
                break;
            case InterpolatedStringExpressionSyntax interpolated:
                foreach (var part in interpolated.Contents)
                    if (part is InterpolatedStringTextSyntax t) text.Append(t.TextToken.ValueText);
                    else Hole(((InterpolationSyntax)part).Expression, text);
                break;
            default:
                Hole(e, text);
                break;
        }
    }

    private static void Hole(ExpressionSyntax e, StringBuilder text)
    {
        if (text.Length > 0 && text[^1] is not (' ' or '\n' or '"' or '\'' or '`' or '(')) return;
        text.Append('{').Append(Name(e)).Append('}');
    }

    private static string Name(ExpressionSyntax e) => e switch
    {
        IdentifierNameSyntax id => id.Identifier.Text,
        MemberAccessExpressionSyntax m => m.Name.Identifier.Text,
        InvocationExpressionSyntax { ArgumentList.Arguments: [var only] } => Name(only.Expression),
        ParenthesizedExpressionSyntax p => Name(p.Expression),
        _ => "X",
    };
}
