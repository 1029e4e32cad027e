namespace Eventide.Operator;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("eventide-operator: not built yet");
        return 1;
    }
}
